/**
 * Where sealed values live, for the jobs that walk them (re-encryption after a key
 * rotation, destroying retired keys). The schema's owner (packages/storage) lists its tables.
 */
export interface SealedTable {
  table: string;
  idColumn: string;
  /** Column naming the tenant whose keys sealed the row; null = the system scope. */
  tenantColumn: string | null;
  keyVersionColumn: string;
  fields: readonly SealedField[];
}

export interface SealedField {
  /** The bytea column with the sealed value. */
  column: string;
  /** The binding field name used when sealing (part of the associated data). */
  field: string;
  /** A clear column left from before encryption: sealed by the job, then set to NULL. */
  legacyClearColumn?: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** Table specs are code, not input, but they are spliced into SQL: refuse anything odd. */
export function assertSafe(table: SealedTable): void {
  const names = [
    table.table,
    table.idColumn,
    table.keyVersionColumn,
    ...(table.tenantColumn ? [table.tenantColumn] : []),
    ...table.fields.flatMap((f) => [f.column, ...(f.legacyClearColumn ? [f.legacyClearColumn] : [])]),
  ];
  for (const name of names) if (!IDENTIFIER.test(name)) throw new Error(`unsafe SQL identifier: ${name}`);
}
