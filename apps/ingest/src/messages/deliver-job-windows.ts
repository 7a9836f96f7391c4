import { InFlight, uuidv7 } from '@maskline/core';

export interface DeliverJobWindowSettings {
  /** How long a window collects committed messages before its jobs are added. */
  windowMs: number;
  /** Messages a window's job lists at most (MAX_DELIVER_BATCH): a commit that could pass it opens the next. */
  maxIds: number;
}

/** Adds one window's job for one carrier: job id = the window's id, data = its message ids. */
export type AddDeliverJob = (carrierId: string, jobId: string, messageIds: string[]) => Promise<void>;

interface Window {
  id: string;
  /** Group commits that took this window's id and have not settled yet. */
  takers: number;
  /** Rows those commits may still add. */
  reserved: number;
  /** Committed message ids, by carrier. */
  ids: Map<string, string[]>;
  count: number;
  timer: ReturnType<typeof setTimeout> | null;
  /** Closed to new takers (time is up, or full); its jobs are added once `takers` is 0. */
  closed: boolean;
}

/**
 * The deliver jobs of the ingest, coalesced over a short window across group commits.
 *
 * A group commit takes the open window's id before its INSERT (each row records it as its
 * `delivery_job_id`) and settles with the ids it created after its COMMIT. When the window
 * closes (after `windowMs`, or at `maxIds`) and every commit that took its id has settled,
 * one job per carrier is added under the window's id, listing exactly the committed ids.
 * So a row's job is never added without it, and the reconciler, which looks for a row's
 * job by that id, finds it missing only if the add never happened (a crash, Redis away)
 * and then restores it under the same id.
 *
 * The request does not wait for the add: its row is durable (the outbox) when it answers
 * 202. At 300 requests/s a 1 ms group commit holds ~1 message; a window of a few ms
 * makes a deliver job, its BullMQ bookkeeping and the worker's per-job statements serve
 * several (docs/performance.md, "Deliver jobs per window").
 */
export class DeliverJobWindows {
  private open: Window | null = null;
  private readonly live = new Map<string, Window>();
  private readonly adding = new InFlight();
  /** Resolvers of `drain()` calls waiting for every window to have flushed. */
  private whenNoneLive: (() => void)[] = [];

  constructor(
    private readonly add: AddDeliverJob,
    private readonly settings: DeliverJobWindowSettings,
  ) {}

  /**
   * The id the rows of a group commit of `size` messages carry: the open window's, or a new
   * window's if there is none or the commit could make its job list more than `maxIds`.
   */
  take(size: number): string {
    let w = this.open;
    if (w && w.count + w.reserved + size > this.settings.maxIds) {
      this.close(w);
      w = null;
    }
    if (!w) {
      w = { id: uuidv7(), takers: 0, reserved: 0, ids: new Map(), count: 0, timer: null, closed: false };
      const window = w;
      w.timer = setTimeout(() => this.close(window), this.settings.windowMs);
      this.open = w;
      this.live.set(w.id, w);
    }
    w.takers += 1;
    w.reserved += size;
    return w.id;
  }

  /** A commit that took `jobId` for `size` rows is done: `created` are its new rows (none if it failed). */
  settle(jobId: string, size: number, created: readonly { id: string; carrierId: string }[]): void {
    const w = this.live.get(jobId);
    if (!w) return;
    for (const m of created) {
      const ids = w.ids.get(m.carrierId);
      if (ids) ids.push(m.id);
      else w.ids.set(m.carrierId, [m.id]);
    }
    w.count += created.length;
    w.takers -= 1;
    w.reserved -= size;
    if (w.count >= this.settings.maxIds) this.close(w);
    else if (w.closed && w.takers === 0) this.flush(w);
  }

  /** True while `jobId`'s window has not added its jobs yet: they will list its rows. */
  holds(jobId: string): boolean {
    return this.live.has(jobId);
  }

  /**
   * Closes the open window and waits until every window's jobs were added, those of
   * commits still running included (shutdown, after the last request answered).
   */
  async drain(): Promise<void> {
    if (this.open) this.close(this.open);
    if (this.live.size > 0) await new Promise<void>((resolve) => this.whenNoneLive.push(resolve));
    await this.adding.drain();
  }

  private close(w: Window): void {
    if (w.closed) return;
    w.closed = true;
    if (w.timer) clearTimeout(w.timer);
    if (this.open === w) this.open = null;
    if (w.takers === 0) this.flush(w);
  }

  private flush(w: Window): void {
    this.live.delete(w.id);
    if (w.count > 0) {
      void this.adding.track(
        Promise.allSettled([...w.ids].map(([carrierId, ids]) => this.add(carrierId, w.id, ids))),
      );
    }
    if (this.live.size === 0) for (const resolve of this.whenNoneLive.splice(0)) resolve();
  }
}
