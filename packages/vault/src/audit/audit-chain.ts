import { createHmac, type KeyObject } from 'node:crypto';

/** One audit event as written by the application. */
export interface AuditEvent {
  tenantId: string | null;
  /** Who did it: "api_key:<id>", "system:delivery-worker", "cli:vault", ... never a phone number. */
  actor: string;
  /** What happened, dotted: "key.rotated", "number.revealed", "session.mapped", ... */
  action: string;
  /** What it happened to: an id or token, never a raw value. */
  subject: string | null;
  details: Readonly<Record<string, string | number | boolean | null>>;
}

export interface AuditEntry extends AuditEvent {
  seq: number;
  at: Date;
  prevHash: Buffer;
  hash: Buffer;
}

export const GENESIS_HASH = Buffer.alloc(32);

/** The exact bytes an entry's MAC covers: every field, keys sorted, stable across jsonb round trips. */
export function canonicalEntry(entry: Omit<AuditEntry, 'prevHash' | 'hash'>): string {
  const details = Object.fromEntries(Object.entries(entry.details).sort(([a], [b]) => (a < b ? -1 : 1)));
  return JSON.stringify([
    String(entry.seq),
    entry.at.toISOString(),
    entry.tenantId,
    entry.actor,
    entry.action,
    entry.subject,
    details,
  ]);
}

/**
 * The chain: hash = HMAC-SHA256(chainKey, prevHash || canonical). Keyed, with the key
 * unwrapped from the key provider (outside the database), so someone who can write the
 * table cannot recompute a consistent chain after editing it.
 */
export function chainHash(
  chainKey: KeyObject,
  prevHash: Buffer,
  entry: Omit<AuditEntry, 'prevHash' | 'hash'>,
): Buffer {
  return createHmac('sha256', chainKey).update(prevHash).update(canonicalEntry(entry), 'utf8').digest();
}

export type AuditProblem =
  | { seq: number; problem: 'altered'; detail: string }
  | { seq: number; problem: 'missing'; detail: string }
  | { seq: number; problem: 'chain_broken'; detail: string };

/** Walks entries in seq order and reports every break; feed it page by page. */
export class ChainVerifier {
  private expectedSeq = 1;
  private prevHash: Buffer = GENESIS_HASH;
  readonly problems: AuditProblem[] = [];
  checked = 0;

  constructor(private readonly chainKey: KeyObject) {}

  add(entry: AuditEntry): void {
    this.checked += 1;
    if (entry.seq !== this.expectedSeq) {
      this.problems.push({
        seq: entry.seq,
        problem: 'missing',
        detail:
          entry.seq > this.expectedSeq
            ? `entries ${this.expectedSeq}..${entry.seq - 1} are missing (deleted)`
            : `entry ${entry.seq} is out of order`,
      });
    } else if (!entry.prevHash.equals(this.prevHash)) {
      this.problems.push({
        seq: entry.seq,
        problem: 'chain_broken',
        detail:
          'prev_hash does not match the previous entry (an entry was inserted, replaced or deleted before it)',
      });
    }
    const expected = chainHash(this.chainKey, entry.prevHash, entry);
    if (!expected.equals(entry.hash)) {
      this.problems.push({ seq: entry.seq, problem: 'altered', detail: 'content does not match its hash' });
    }
    this.expectedSeq = entry.seq + 1;
    this.prevHash = entry.hash;
  }

  /** The last entry seen: record it elsewhere to detect a truncated tail later. */
  head(): { seq: number; hash: string } {
    return { seq: this.expectedSeq - 1, hash: this.prevHash.toString('hex') };
  }
}
