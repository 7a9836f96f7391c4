/**
 * AIMD pacing for one bind while the SMSC throttles (ESME_RTHROTTLED, ESME_RMSGQFUL).
 *
 * - Multiplicative decrease: each throttling answer halves the effective window (never
 *   below 1) and pauses new submits on the bind, min·2^n (n = consecutive throttling
 *   answers) capped at max.
 * - Additive increase: each accepted submit grows the window by 1/window, i.e. by one slot
 *   per window's worth of accepted submits, back up to the configured size.
 *
 * The bind resends the throttled submit itself (the SMSC refused it, so resending cannot
 * duplicate it), so slowing down loses nothing.
 */
export class AdaptiveThrottle {
  #window: number;
  #consecutive = 0;
  #pauseUntil = 0;

  constructor(
    private readonly maxWindow: number,
    private readonly pauseMinMs: number,
    private readonly pauseMaxMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.#window = maxWindow;
  }

  /** The effective window (whole slots, 1..maxWindow). */
  get window(): number {
    return Math.max(1, Math.min(this.maxWindow, Math.floor(this.#window)));
  }

  /** True while slowed down below the configured window. */
  get slowed(): boolean {
    return this.window < this.maxWindow;
  }

  /** A throttling answer: halve the window, pause. Returns the pause (ms). */
  throttled(): number {
    this.#window = Math.max(1, this.#window / 2);
    const pause = Math.min(this.pauseMaxMs, this.pauseMinMs * 2 ** Math.min(this.#consecutive, 30));
    this.#consecutive++;
    this.#pauseUntil = Math.max(this.#pauseUntil, this.now() + pause);
    return pause;
  }

  /** An accepted submit: grow the window by 1/window (one slot per window's worth). */
  accepted(): void {
    this.#consecutive = 0;
    if (this.#window < this.maxWindow)
      this.#window = Math.min(this.maxWindow, this.#window + 1 / this.#window);
  }

  /** How long a submit about to go out should still wait (0 = send now). */
  delayMs(): number {
    return Math.max(0, this.#pauseUntil - this.now());
  }
}
