import { SYSTEM_SCOPE } from '@maskline/core';
import type pg from 'pg';
import type { PgVault } from '../pg-vault.js';
import { assertSafe, type SealedTable } from './sealed-table.js';

export interface ReencryptProgress {
  table: string;
  tenantId: string;
  toVersion: number;
  done: number;
  total: number;
}

export interface ReencryptOptions {
  batchSize?: number;
  onProgress?: (progress: ReencryptProgress) => void;
  signal?: AbortSignal;
}

interface Row {
  id: string;
  key_version: number | null;
  [column: string]: unknown;
}

/**
 * Moves every sealed value onto its tenant's active data key (and seals rows written
 * before encryption existed). Batches of rows are opened with whatever key sealed them and
 * sealed again; each UPDATE only applies if the row still has the version it was read
 * with, so it runs beside live traffic. Nothing to resume from: the rows still to do are
 * exactly those not on the active version, so a stopped job simply runs again.
 */
export async function reencrypt(
  pool: pg.Pool,
  vault: PgVault,
  tables: readonly SealedTable[],
  options: ReencryptOptions = {},
): Promise<{ rows: number }> {
  const batchSize = options.batchSize ?? 500;
  let rows = 0;
  for (const table of tables) {
    assertSafe(table);
    for (const tenantId of await tenantsOf(pool, table)) {
      const tenantVault = await vault.forTenant(tenantId);
      const toVersion = tenantVault.activeVersion;
      if (toVersion === null) continue; // shredded: nothing can be opened or sealed
      const where = pendingPredicate(table);
      const total = Number(
        (
          await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table.table} WHERE ${where}`, [
            tenantId,
            toVersion,
          ])
        ).rows[0]?.n ?? 0,
      );
      let done = 0;
      options.onProgress?.({ table: table.table, tenantId, toVersion, done, total });
      let after = '00000000-0000-0000-0000-000000000000';
      for (;;) {
        if (options.signal?.aborted) return { rows };
        const selected = [
          `${table.idColumn} AS id`,
          `${table.keyVersionColumn} AS key_version`,
          ...table.fields.flatMap((f) => [f.column, ...(f.legacyClearColumn ? [f.legacyClearColumn] : [])]),
        ].join(', ');
        const page = await pool.query<Row>(
          `SELECT ${selected} FROM ${table.table} WHERE ${where} AND ${table.idColumn} > $3
           ORDER BY ${table.idColumn} LIMIT $4`,
          [tenantId, toVersion, after, batchSize],
        );
        if (page.rows.length === 0) break;
        const updates = page.rows.map((row) => ({
          id: row.id,
          fromVersion: row.key_version,
          values: table.fields.map((f) => {
            const binding = { recordId: row.id, field: f.field };
            const sealed = row[f.column] as Buffer | null;
            const clear = sealed
              ? tenantVault.open(binding, sealed)
              : ((f.legacyClearColumn ? (row[f.legacyClearColumn] as string | null) : null) ?? null);
            return clear === null ? null : tenantVault.seal(binding, clear);
          }),
        }));
        const sets = table.fields.map((f, i) => `${f.column} = u.v${i}`);
        const clears = table.fields.flatMap((f) =>
          f.legacyClearColumn ? [`${f.legacyClearColumn} = NULL`] : [],
        );
        const columns = table.fields.map((_, i) => `v${i}`).join(', ');
        const types = table.fields.map((_, i) => `$${i + 4}::bytea[]`).join(', ');
        const result = await pool.query(
          `UPDATE ${table.table} t SET ${[...sets, ...clears, `${table.keyVersionColumn} = $1`].join(', ')}
           FROM unnest($2::uuid[], $3::int[], ${types}) AS u(id, from_version, ${columns})
           WHERE t.${table.idColumn} = u.id AND t.${table.keyVersionColumn} IS NOT DISTINCT FROM u.from_version`,
          [
            toVersion,
            updates.map((u) => u.id),
            updates.map((u) => u.fromVersion),
            ...table.fields.map((_, i) => updates.map((u) => u.values[i])),
          ],
        );
        rows += result.rowCount ?? 0;
        done += page.rows.length;
        after = page.rows.at(-1)!.id;
        options.onProgress?.({ table: table.table, tenantId, toVersion, done, total });
      }
    }
  }
  return { rows };
}

/** How many values each data key version of a tenant still seals, across the tables. */
export async function versionsInUse(
  pool: pg.Pool,
  tenantId: string,
  tables: readonly SealedTable[],
): Promise<Map<number, number>> {
  const inUse = new Map<number, number>();
  for (const table of tables) {
    assertSafe(table);
    const tenantFilter = table.tenantColumn ? `${table.tenantColumn} = $1` : `$1::uuid = '${SYSTEM_SCOPE}'`;
    const result = await pool.query<{ v: number; n: string }>(
      `SELECT ${table.keyVersionColumn} AS v, count(*) AS n FROM ${table.table}
       WHERE ${tenantFilter} AND ${table.keyVersionColumn} IS NOT NULL GROUP BY 1`,
      [tenantId],
    );
    for (const row of result.rows) inUse.set(row.v, (inUse.get(row.v) ?? 0) + Number(row.n));
  }
  return inUse;
}

/**
 * Destroy data key versions older than the active one that no stored value uses any more.
 * Returns the destroyed versions.
 */
export async function destroyRetiredKeys(
  pool: pg.Pool,
  vault: PgVault,
  tenantId: string,
  tables: readonly SealedTable[],
): Promise<number[]> {
  const active = (await vault.forTenant(tenantId)).activeVersion;
  if (active === null) return [];
  const inUse = await versionsInUse(pool, tenantId, tables);
  const stored = await vault.keys.load(tenantId);
  const retired = stored
    .filter((k) => k.purpose === 'data' && k.wrapped && k.version < active && !inUse.get(k.version))
    .map((k) => k.version);
  for (const version of retired) await vault.destroyDataKey(tenantId, version);
  return retired;
}

async function tenantsOf(pool: pg.Pool, table: SealedTable): Promise<string[]> {
  if (!table.tenantColumn) return [SYSTEM_SCOPE];
  const result = await pool.query<{ t: string }>(
    `SELECT DISTINCT ${table.tenantColumn} AS t FROM ${table.table}`,
  );
  return result.rows.map((r) => r.t);
}

function pendingPredicate(table: SealedTable): string {
  const tenant = table.tenantColumn ? `${table.tenantColumn} = $1` : `$1::uuid IS NOT NULL`;
  const legacy = table.fields
    .filter((f) => f.legacyClearColumn)
    .map((f) => `${f.legacyClearColumn} IS NOT NULL`);
  const stale = `(${table.keyVersionColumn} IS NOT NULL AND ${table.keyVersionColumn} < $2)`;
  return `${tenant} AND (${[stale, ...legacy].join(' OR ')})`;
}
