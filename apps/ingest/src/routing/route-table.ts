import type { Logger } from '@maskline/core';
import type { RoutingRepository, RoutingTables } from '@maskline/storage';

const EMPTY: RoutingTables = { routes: [], prices: [], residency: new Map() };

/**
 * The routes, prices and residency policies, held in memory for the accept path and
 * reloaded every few seconds (and at once after a change through this process's API).
 * A failed reload keeps the last good copy.
 */
export class RouteTable {
  private tables: RoutingTables = EMPTY;
  private timer: NodeJS.Timeout | undefined;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly repository: Pick<RoutingRepository, 'loadAll'>,
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

  /** First load (failures propagate: the app must not start routing blind), then periodic. */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => {
      this.refresh().catch((error: unknown) =>
        this.logger.warn({ err: error }, 'route table refresh failed; keeping the last copy'),
      );
    }, this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
