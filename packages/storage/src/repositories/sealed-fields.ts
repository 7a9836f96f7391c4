import type { TenantVault } from '@maskline/core';

/** A sealed column, the binding field it is sealed under, and the clear column it replaced. */
export interface SealedField<C extends string = string, L extends string = string> {
  readonly column: C;
  readonly field: string;
  readonly legacyClearColumn: L;
}

/**
 * Opens one sealed field of a row (bound to `recordId`); rows written before encryption
 * still carry the value in their clear column. Null when neither holds a value.
 */
export function openSealedField<C extends string, L extends string>(
  vault: TenantVault,
  recordId: string,
  row: { [K in C]: Buffer | null } & { [K in L]: string | null },
  field: SealedField<C, L>,
): string | null {
  const sealed = row[field.column];
  return sealed ? vault.open({ recordId, field: field.field }, sealed) : row[field.legacyClearColumn];
}
