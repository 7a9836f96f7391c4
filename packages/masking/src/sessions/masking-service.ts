import {
  type AuditRecorder,
  type Clock,
  type Logger,
  MasklineError,
  maskPhoneNumber,
  parseE164,
  type TenantVault,
  uuidv7,
  type Vault,
} from '@maskline/core';
import { MAX_IMPORT_ROWS, type NumberImportError, validateImportRows } from '../pool/number-import.js';
import type { MaskingStore, PoolStat, SealedParticipant } from '../store/masking-store.js';
import {
  type MaskingEventView,
  PARTICIPANTS_PER_MODE,
  type Page,
  type ReserveRequest,
  type SessionState,
  type SessionView,
  type VirtualNumberView,
} from '../types.js';

/** Schedules a session's expiry (a BullMQ delayed job in production). */
export interface ExpiryScheduler {
  schedule(job: { sessionId: string; tenantId: string }, delayMs: number): Promise<void>;
}

export interface MaskingSettings {
  /** Cool-off of a released, rotated or expired number before it can be allocated again. */
  quarantineMs: number;
  /** A `pool.low_watermark` event is recorded when allocatable numbers drop below this. */
  lowWatermark: number;
}

export const DEFAULT_MASKING_SETTINGS: MaskingSettings = { quarantineMs: 24 * 3_600_000, lowWatermark: 10 };

/** The participant binding field sealed values are bound to. */
export const PARTICIPANT_FIELD = 'participant_number';

export interface ImportReport {
  carrier: string;
  received: number;
  imported: number;
  numbers: { row: number; id: string; number: string }[];
  errors: NumberImportError[];
}

/**
 * The masking lifecycle: reserve, map, release, rotate, read; and the pool's import,
 * retirement and stats. Real numbers are parsed (E.164), sealed by the tenant's vault and
 * forgotten here: only sealed values, blind indexes and masked forms reach the store.
 */
export class MaskingService {
  constructor(
    private readonly store: MaskingStore,
    private readonly vault: Vault,
    private readonly expiry: ExpiryScheduler,
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly settings: MaskingSettings = DEFAULT_MASKING_SETTINGS,
    /** Allocations, mapping changes, releases, rotations and pool changes are audited. */
    private readonly audit: AuditRecorder | null = null,
  ) {}

  private async record(
    tenantId: string,
    action: string,
    subject: string,
    details: Record<string, string | number | boolean | null> = {},
  ): Promise<void> {
    await this.audit?.record({ tenantId, action, subject, details });
  }

  async reserve(
    tenantId: string,
    request: ReserveRequest,
    idempotencyKey: string | null,
  ): Promise<{ session: SessionView; created: boolean }> {
    const numbers = request.participants.map((n, i) => parseE164(n, `participants[${i}]`));
    const max = PARTICIPANTS_PER_MODE[request.mode];
    if (numbers.length > max) {
      throw new MasklineError('masking_participants_invalid', {
        message: `A ${request.mode} session binds at most ${max} participant(s).`,
        details: { field: 'participants' },
      });
    }
    const tv = await this.vault.forTenant(tenantId);
    const id = uuidv7(this.clock.now().getTime());
    const outcome = await this.store.reserve({
      id,
      tenantId,
      mode: request.mode,
      ttlSeconds: request.ttlSeconds,
      constraints: request.constraints,
      nonParticipantPolicy: request.nonParticipantPolicy,
      autoReplyText: request.autoReplyText,
      inboxDelivery: request.inboxDelivery,
      idempotencyKey,
      // Keyed per tenant (the blind index key), so the digest reveals nothing of the numbers.
      requestDigest: idempotencyKey
        ? tv.blindIndex(JSON.stringify({ ...request, participants: numbers }))
        : null,
      participants: this.seal(tv, numbers),
    });
    if (outcome.kind === 'existing') {
      if (!outcome.sameRequest) throw new MasklineError('idempotency_conflict');
      return { session: outcome.session, created: false };
    }
    const { session } = outcome;
    await this.record(tenantId, 'number.allocated', `session:${session.id}`, {
      virtualNumber: session.virtualNumber,
      participants: numbers.length,
    });
    try {
      await this.expiry.schedule({ sessionId: id, tenantId }, request.ttlSeconds * 1000);
    } catch (error) {
      // The sweeper expires it anyway; the session stands.
      this.logger.warn({ err: error, sessionId: id }, 'expiry job not scheduled; left for the sweeper');
    }
    await this.store.numbers
      .checkWatermark(tenantId, outcome.numberCountry, outcome.numberCarrier, this.settings.lowWatermark)
      .catch((error: unknown) => this.logger.warn({ err: error }, 'low-watermark check failed'));
    return { session, created: true };
  }

  async map(tenantId: string, sessionId: string, participants: readonly string[]): Promise<SessionView> {
    const numbers = participants.map((n, i) => parseE164(n, `participants[${i}]`));
    if (numbers.length === 0) {
      throw new MasklineError('masking_participants_invalid', {
        message: 'participants must list at least one number.',
        details: { field: 'participants' },
      });
    }
    const tv = await this.vault.forTenant(tenantId);
    const session = await this.store.map(tenantId, sessionId, this.seal(tv, numbers), PARTICIPANTS_PER_MODE);
    await this.record(tenantId, 'session.mapped', `session:${sessionId}`, { participants: numbers.length });
    return session;
  }

  private seal(tv: TenantVault, numbers: readonly string[]): SealedParticipant[] {
    return numbers.map((number) => {
      const id = uuidv7(this.clock.now().getTime());
      return {
        id,
        numberSealed: tv.seal({ recordId: id, field: PARTICIPANT_FIELD }, number),
        numberIndex: tv.blindIndex(number),
        numberMasked: maskPhoneNumber(number),
        keyVersion: tv.activeVersion,
      };
    });
  }

  /**
   * Where a message from the session goes (e.g. an OTP in a verification session): the
   * participant's number opened just in time, from the session's virtual number.
   */
  async sendTarget(
    tenantId: string,
    sessionId: string,
    participantId: string | null,
  ): Promise<{ to: string; toMasked: string; from: string; carrierId: string }> {
    const target = await this.store.participantForSend(tenantId, sessionId, participantId);
    if (!target.canSend) {
      throw new MasklineError('masking_participants_invalid', {
        message: 'The session number cannot send (no sms-mt capability).',
      });
    }
    return {
      to: await this.vault.openFor(
        tenantId,
        { recordId: target.participantId, field: PARTICIPANT_FIELD },
        target.numberSealed,
      ),
      toMasked: target.numberMasked,
      from: target.from,
      carrierId: target.carrierId,
    };
  }

  async release(tenantId: string, sessionId: string): Promise<SessionView> {
    const session = await this.store.release(tenantId, sessionId, this.settings.quarantineMs);
    await this.record(tenantId, 'session.released', `session:${sessionId}`, {
      virtualNumber: session.virtualNumber,
    });
    return session;
  }

  async rotate(tenantId: string, sessionId: string): Promise<SessionView> {
    const { session, numberCountry, numberCarrier } = await this.store.rotate(
      tenantId,
      sessionId,
      this.settings.quarantineMs,
    );
    await this.record(tenantId, 'number.rotated', `session:${sessionId}`, {
      virtualNumber: session.virtualNumber,
    });
    await this.store.numbers
      .checkWatermark(tenantId, numberCountry, numberCarrier, this.settings.lowWatermark)
      .catch((error: unknown) => this.logger.warn({ err: error }, 'low-watermark check failed'));
    return session;
  }

  async get(tenantId: string, sessionId: string): Promise<SessionView> {
    const session = await this.store.get(tenantId, sessionId);
    if (!session) throw new MasklineError('masking_session_not_found');
    return session;
  }

  list(
    tenantId: string,
    options: { limit: number; cursor: string | null; state: SessionState | null },
  ): Promise<Page<SessionView>> {
    return this.store.list(tenantId, options);
  }

  events(
    tenantId: string,
    options: { limit: number; cursor: string | null; type: string | null },
  ): Promise<Page<MaskingEventView>> {
    return this.store.events.listEvents(tenantId, options);
  }

  /** Validates every row, imports the good ones, and reports each bad row by number. */
  async importNumbers(tenantId: string, carrierId: string, raw: readonly unknown[]): Promise<ImportReport> {
    if (raw.length > MAX_IMPORT_ROWS) {
      throw new MasklineError('invalid_request', {
        message: `An import may carry at most ${MAX_IMPORT_ROWS} rows.`,
        details: { field: 'numbers' },
      });
    }
    const { rows, errors } = validateImportRows(raw);
    const result = await this.store.numbers.importNumbers(tenantId, carrierId, rows);
    for (const row of result.existing) {
      errors.push({
        row,
        field: 'number',
        code: 'virtual_number_exists',
        message: 'number is already in a pool.',
      });
    }
    errors.sort((a, b) => a.row - b.row);
    await this.store.numbers.clearWatermarks(tenantId, this.settings.lowWatermark);
    await this.record(tenantId, 'numbers.imported', `carrier:${carrierId}`, {
      imported: result.inserted.length,
      rejected: errors.length,
    });
    this.logger.info(
      { tenantId, carrier: carrierId, imported: result.inserted.length, rejected: errors.length },
      'virtual numbers imported',
    );
    return {
      carrier: carrierId,
      received: raw.length,
      imported: result.inserted.length,
      numbers: result.inserted.map((r) => ({ row: r.row, id: r.id, number: r.e164 })),
      errors,
    };
  }

  async retire(tenantId: string, numberId: string): Promise<VirtualNumberView> {
    const number = await this.store.numbers.retire(tenantId, numberId);
    await this.record(tenantId, 'number.retired', `number:${numberId}`, { virtualNumber: number.number });
    return number;
  }

  async getNumber(tenantId: string, numberId: string): Promise<VirtualNumberView> {
    const number = await this.store.numbers.getNumber(tenantId, numberId);
    if (!number) throw new MasklineError('virtual_number_not_found');
    return number;
  }

  stats(tenantId: string): Promise<PoolStat[]> {
    return this.store.numbers.stats(tenantId);
  }
}
