import { untraced } from '@maskline/core';
import { deliverQueueName } from './queue-names.js';
import type { RedisClient } from './redis-connection.js';

export type SharedCarrierState = 'up' | 'down' | 'unknown';

/** What a worker publishes of its carrier: link state and the plugin's capabilities. */
export interface CarrierReport {
  state: 'up' | 'down';
  unicode: boolean;
  concatenation: boolean;
}

export function carrierHealthKey(prefix: string, carrierId: string): string {
  return `${prefix}:${deliverQueueName(carrierId)}:health`;
}

/**
 * Carrier link health shared across processes (docs/routing.md#carrier-health): each
 * worker's link writes its carrier's key on every change and refreshes it well within
 * its TTL; a key nobody refreshes expires and the carrier is "unknown" (eligible) again.
 * With several workers of one carrier the last writer wins: they share one carrier, so
 * they see the same outage within a health check or two.
 */
export class CarrierHealthBoard {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly ttlMs = 5_000,
  ) {}

  async publish(carrierId: string, report: CarrierReport): Promise<void> {
    await this.redis.set(carrierHealthKey(this.prefix, carrierId), JSON.stringify(report), 'PX', this.ttlMs);
  }

  async read(carrierIds: readonly string[]): Promise<Map<string, CarrierReport>> {
    if (carrierIds.length === 0) return new Map();
    const values = await this.redis.mget(carrierIds.map((id) => carrierHealthKey(this.prefix, id)));
    const reports = new Map<string, CarrierReport>();
    values.forEach((value, i) => {
      const report = parseReport(value);
      if (report) reports.set(carrierIds[i]!, report);
    });
    return reports;
  }
}

function parseReport(value: string | null): CarrierReport | null {
  if (value === null) return null;
  try {
    const parsed = JSON.parse(value) as Partial<CarrierReport>;
    if (parsed.state !== 'up' && parsed.state !== 'down') return null;
    return {
      state: parsed.state,
      unicode: parsed.unicode !== false,
      concatenation: parsed.concatenation !== false,
    };
  } catch {
    return null;
  }
}

/**
 * A reader's view of the board, answered synchronously from a copy refreshed every
 * `refreshMs` (one MGET for every carrier asked about so far). A failed read keeps the
 * last copy; the first answers before any read are "unknown".
 */
export class CarrierHealthCache {
  private reports = new Map<string, CarrierReport>();
  private readonly watched = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly board: CarrierHealthBoard,
    private readonly refreshMs = 1_000,
  ) {}

  healthOf(carrierId: string): SharedCarrierState {
    this.watched.add(carrierId);
    return this.reports.get(carrierId)?.state ?? 'unknown';
  }

  capabilitiesOf(carrierId: string): { unicode: boolean; concatenation: boolean } | null {
    this.watched.add(carrierId);
    const report = this.reports.get(carrierId);
    return report ? { unicode: report.unicode, concatenation: report.concatenation } : null;
  }

  /** Reads the board now. */
  async refresh(): Promise<void> {
    this.reports = await this.board.read([...this.watched]);
  }

  start(carrierIds: readonly string[] = []): void {
    for (const id of carrierIds) this.watched.add(id);
    void this.refresh().catch(() => {});
    this.timer = setInterval(() => void untraced(() => this.refresh()).catch(() => {}), this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
