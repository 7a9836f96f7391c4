import { type Logger, untraced } from '@maskline/core';
import type { CarrierPrice, Route } from './route-types.js';

/** Everything the router reads, loaded together. */
export interface RoutingTables {
  routes: Route[];
  prices: CarrierPrice[];
  /** tenant id -> allowed regions. */
  residency: Map<string, string[]>;
}

export interface RoutingTablesSource {
  loadAll(): Promise<RoutingTables>;
}

const EMPTY: RoutingTables = { routes: [], prices: [], residency: new Map() };

/**
 * The routes, prices and residency policies, held in memory for the hot paths (accept,
 * failover) and reloaded every few seconds (and at once after a change through the API).
 * A failed reload keeps the last good copy.
 */
export class RouteTable {
  private tables: RoutingTables = EMPTY;
  private timer: NodeJS.Timeout | undefined;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly repository: RoutingTablesSource,
    private readonly logger: Logger,
    private readonly refreshMs: number,
  ) {}

  current(): RoutingTables {
    return this.tables;
  }

  /** Loads now; concurrent callers share one load. */
  refresh(): Promise<void> {
    this.loading ??= this.repository
      .loadAll()
      .then((tables) => {
        this.tables = tables;
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }

  /** Periodic loads, and the first one now (its failure propagates: the caller decides). */
  async start(): Promise<void> {
    // A reload is a poll: no trace of its own (untraced), whatever it queries.
    this.timer = setInterval(() => {
      untraced(() => this.refresh()).catch((error: unknown) =>
        this.logger.warn({ err: error }, 'route table refresh failed; keeping the last copy'),
      );
    }, this.refreshMs);
    this.timer.unref();
    await this.refresh();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
