/**
 * Appends to the tamper-evident audit log (the vault's hash-chained table in production).
 * Subjects and details are ids, tokens, counts and Maskline's own numbers: never a real
 * phone number, a body or a code.
 */
export interface AuditEventInput {
  tenantId: string | null;
  /** Who did it; defaults to the recording process (e.g. "system:maskline-ingest"). */
  actor?: string;
  /** Dotted action, e.g. "number.allocated", "session.mapped", "number.revealed". */
  action: string;
  subject: string | null;
  details: Readonly<Record<string, string | number | boolean | null>>;
}

export interface AuditRecorder {
  record(event: AuditEventInput): Promise<void>;
}
