/**
 * Runs a task every `intervalMs`, never two at once: a tick that finds the previous run
 * still going joins it instead of starting another. stop() waits for a run in progress.
 * The timer does not keep the process alive.
 */
export class PeriodicTask<T> {
  private timer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<T> | null = null;

  constructor(
    private readonly task: () => Promise<T>,
    private readonly intervalMs: number,
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
    this.running ??= this.task().finally(() => {
      this.running = null;
    });
    return this.running;
  }
}
