import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureInfraBinaries, freePort, type RunningPostgres, startPostgres } from '@maskline/local-infra';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PG_STATEMENTS_SETTINGS,
  readStatements,
  resetStatements,
  statementsTable,
} from '../src/pg-statements.js';

/** --pg-statements on a real PostgreSQL started as the bench starts it (with the library loaded). */
describe('pg_stat_statements in the bench', () => {
  const dir = mkdtempSync(join(tmpdir(), 'maskline-pgss-'));
  chmodSync(dir, 0o755); // PostgreSQL runs as the postgres user when we are root
  let postgres: RunningPostgres;
  let pool: pg.Pool;

  beforeAll(async () => {
    postgres = await startPostgres({
      binDir: ensureInfraBinaries().postgresBinDir,
      dataDir: join(dir, 'pg'),
      port: await freePort(),
      ephemeral: true,
      settings: PG_STATEMENTS_SETTINGS,
    });
    pool = new pg.Pool({ connectionString: postgres.url, max: 2 });
    // The server stops at the end while a connection may still be closing: not a failure.
    pool.on('error', () => {});
  }, 60_000);
  afterAll(async () => {
    await pool?.end();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await postgres?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts the run’s statements, normalised, including those inside functions', async () => {
    expect(await resetStatements(pool)).toBe(true);
    await pool.query('CREATE TABLE probe (n int, secret text)');
    await pool.query(
      `CREATE FUNCTION probe_add(v int) RETURNS void LANGUAGE sql AS $$ INSERT INTO probe VALUES (v, 'x') $$`,
    );
    for (let i = 0; i < 5; i++) await pool.query(`INSERT INTO probe VALUES ($1, '+447911123456')`, [i]);
    await pool.query('SELECT probe_add(7)');
    const costs = await readStatements(pool, 50);
    const insert = costs.find((c) => c.query.startsWith('INSERT INTO probe VALUES ($1, $2)'));
    expect(insert).toMatchObject({ calls: 5, rows: 5, nested: false });
    expect(costs.some((c) => c.nested && c.query.includes('INSERT INTO probe'))).toBe(true);
    // Constants are normalised away: no value of a message reaches the report.
    const table = statementsTable(costs, 5);
    expect(table).not.toContain('+447911123456');
    expect(table).toContain('| 5 | 1.000 | 1.0 |');
  });
});
