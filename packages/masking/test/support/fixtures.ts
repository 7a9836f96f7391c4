import { type Logger, systemClock, type Vault } from '@maskline/core';
import type pg from 'pg';
import {
  type ExpiryScheduler,
  MaskingService,
  type MaskingSettings,
  MaskingStore,
  type ReserveRequest,
} from '../../src/index.js';

/** Virtual numbers for tests: +4479112NNNNN (valid UK mobile shape). */
export const virtualNumber = (i: number) => `+4479112${String(100000 + i).slice(1)}`;
/** Participant (real) numbers for tests: +4479123NNNNN. */
export const realNumber = (i: number) => `+4479123${String(100000 + i).slice(1)}`;

export class RecordingScheduler implements ExpiryScheduler {
  readonly jobs: { sessionId: string; tenantId: string; delayMs: number }[] = [];
  async schedule(job: { sessionId: string; tenantId: string }, delayMs: number): Promise<void> {
    this.jobs.push({ ...job, delayMs });
  }
}

/** A logger that keeps every line, for privacy scans. */
export function capturingLogger(lines: string[] = []): Logger & { lines: string[] } {
  const log =
    (level: string) =>
    (fields: Record<string, unknown>, message: string): void => {
      lines.push(
        `${level} ${message} ${JSON.stringify(fields, (_k, v) => (v instanceof Error ? v.message : v))}`,
      );
    };
  const logger = {
    lines,
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: () => logger,
  };
  return logger;
}

export function maskingService(
  pool: pg.Pool,
  vault: Vault,
  options: { scheduler?: ExpiryScheduler; settings?: Partial<MaskingSettings>; logger?: Logger } = {},
): { service: MaskingService; store: MaskingStore; scheduler: ExpiryScheduler } {
  const store = new MaskingStore(pool);
  const scheduler = options.scheduler ?? new RecordingScheduler();
  const service = new MaskingService(
    store,
    vault,
    scheduler,
    options.logger ?? capturingLogger(),
    systemClock,
    {
      quarantineMs: 24 * 3_600_000,
      lowWatermark: 0,
      ...options.settings,
    },
  );
  return { service, store, scheduler };
}

export function reserveRequest(overrides: Partial<ReserveRequest> = {}): ReserveRequest {
  return {
    mode: 'pair',
    ttlSeconds: 3_600,
    constraints: { country: null, carrierId: null, capabilities: ['sms-mt', 'sms-mo'] },
    nonParticipantPolicy: 'drop',
    autoReplyText: null,
    inboxDelivery: 'participant',
    participants: [],
    ...overrides,
  };
}

/** Imports `count` numbers +4479112<from..> into the tenant's pool. */
export async function stockPool(
  service: MaskingService,
  tenantId: string,
  count: number,
  options: { from?: number; carrier?: string; country?: string } = {},
): Promise<string[]> {
  const from = options.from ?? 0;
  const rows = Array.from({ length: count }, (_, i) => ({
    number: virtualNumber(from + i),
    country: options.country ?? 'GB',
  }));
  const report = await service.importNumbers(tenantId, options.carrier ?? 'sim', rows);
  if (report.errors.length > 0) throw new Error(`stock failed: ${JSON.stringify(report.errors)}`);
  return report.numbers.map((n) => n.number);
}
