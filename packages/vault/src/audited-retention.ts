import { type MappingPurge, RetentionPurger } from '@maskline/storage';
import type pg from 'pg';
import type { PgVault } from './pg-vault.js';

/** The retention purge, recording each tenant's counts in the audit log. */
export function auditedRetentionPurger(
  pool: pg.Pool,
  vault: PgVault,
  mappingPurges: readonly MappingPurge[] = [],
  options: { webhookDays?: number; sandboxHours?: number } = {},
): RetentionPurger {
  return new RetentionPurger(pool, {
    ...options,
    mappingPurges,
    onPurged: (report) =>
      vault.record({
        tenantId: report.tenantId,
        action: 'retention.purged',
        subject: null,
        details: { ...report },
      }),
  });
}
