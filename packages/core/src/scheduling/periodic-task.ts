import { type CycleTracing, runBackgroundCycle } from './background-cycle.js';

/**
 * Runs a task every `intervalMs`, never two at once: a tick that finds the previous run
 * still going joins it instead of starting another. stop() waits for a run in progress.
 * The timer does not keep the process alive. Each run is a background cycle (see
 * runBackgroundCycle): no span per query; with `tracing`, one span for a run that handled items.
 */
export class PeriodicTask<T> {
  private timer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<T> | null = null;

  constructor(
    private readonly task: () => Promise<T>,
    private readonly intervalMs: number,
    private readonly tracing?: CycleTracing<T>,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.runOnce().catch(() => {}), this.intervalMs);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => {});
  }

  /** Runs now (or joins the run in progress). */
  runOnce(): Promise<T> {
    this.running ??= runBackgroundCycle(this.task, this.tracing).finally(() => {
      this.running = null;
    });
    return this.running;
  }
}
