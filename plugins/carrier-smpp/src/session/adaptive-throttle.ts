/**
 * AIMD pacing for one bind while the SMSC throttles (ESME_RTHROTTLED, ESME_RMSGQFUL).
 *
 * - Multiplicative decrease: the first throttling answer to a submit halves the effective
 *   window (never below 1) and pauses new submits on the bind, min·2^n (n = consecutive
 *   throttling answers, reset by an accepted submit) capped at max.
 * - Resends of that same submit that are throttled again do NOT slow the link further:
 *   they wait their own pause (min·2^attempt capped at max) without holding a window slot.
 *   One destination the carrier keeps throttling therefore costs the link one halving per
 *   submit the host makes, not one per resend, and cannot pin the window at 1.
 * - Additive increase: each accepted submit grows the window by 1/window, i.e. by one slot
 *   per window's worth of accepted submits, back up to the configured size.
 * - Recovery with time: without a throttling answer the window also grows back by itself,
 *   by maxWindow slots per recoveryMs (from 1 to full in recoveryMs at most), so an idle
 *   or slow link does not stay slowed down forever.
 *
 * The bind resends the throttled submit itself (the SMSC refused it, so resending cannot
 * duplicate it), so slowing down loses nothing.
 */
export class AdaptiveThrottle {
  #window: number;
  #consecutive = 0;
  #pauseUntil = 0;
  /** When #window was last brought up to date with the time recovery. */
  #recoveredAt: number;

  constructor(
    private readonly maxWindow: number,
    private readonly pauseMinMs: number,
    private readonly pauseMaxMs: number,
    private readonly recoveryMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.#window = maxWindow;
    this.#recoveredAt = now();
  }

  /** The effective window (whole slots, 1..maxWindow). */
  get window(): number {
    this.#recover();
    return Math.max(1, Math.min(this.maxWindow, Math.floor(this.#window)));
  }

  /** True while slowed down below the configured window. */
  get slowed(): boolean {
    return this.window < this.maxWindow;
  }

  /** The first throttling answer to a submit: halve the window, pause the bind. Returns the pause (ms). */
  throttled(): number {
    this.#recover();
    this.#window = Math.max(1, this.#window / 2);
    const pause = this.#backoff(this.#consecutive);
    this.#consecutive++;
    this.#pauseUntil = Math.max(this.#pauseUntil, this.now() + pause);
    return pause;
  }

  /**
   * A resend of a submit throttled again (attempt ≥ 1): the window and the bind's pause are
   * left alone. Returns how long that submit alone should wait before its next resend.
   */
  throttledAgain(attempt: number): number {
    return this.#backoff(attempt);
  }

  /** An accepted submit: grow the window by 1/window (one slot per window's worth). */
  accepted(): void {
    this.#recover();
    this.#consecutive = 0;
    if (this.#window < this.maxWindow)
      this.#window = Math.min(this.maxWindow, this.#window + 1 / this.#window);
  }

  /** How long a submit about to go out should still wait (0 = send now). */
  delayMs(): number {
    return Math.max(0, this.#pauseUntil - this.now());
  }

  #backoff(n: number): number {
    return Math.min(this.pauseMaxMs, this.pauseMinMs * 2 ** Math.min(n, 30));
  }

  #recover(): void {
    const now = this.now();
    const elapsed = now - this.#recoveredAt;
    this.#recoveredAt = now;
    // Time since a throttling answer: the pause still running does not count.
    const quiet = Math.min(elapsed, now - this.#pauseUntil);
    if (this.#window >= this.maxWindow || quiet <= 0) return;
    this.#window = Math.min(this.maxWindow, this.#window + (this.maxWindow * quiet) / this.recoveryMs);
  }
}
