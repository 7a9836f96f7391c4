/**
 * Periodic enquire_link with a deadline. The smpp package's auto_enquire_link_period sends
 * enquire_link but never looks at the reply, so a dead peer behind a live TCP connection
 * (NAT drop, hung SMSC) goes unnoticed. Here an unanswered ping declares the link dead.
 */
export class LinkMonitor {
  #timer: NodeJS.Timeout | undefined;
  #inFlight = false;

  constructor(
    private readonly intervalMs: number,
    /** Send enquire_link; resolves on any response, rejects on timeout or link loss. */
    private readonly ping: () => Promise<unknown>,
    /** Called once when a ping fails: tear the link down. */
    private readonly onDead: (error: unknown) => void,
  ) {}

  start(): void {
    this.stop();
    this.#timer = setInterval(() => this.#tick(), this.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #tick(): void {
    if (this.#inFlight) return;
    this.#inFlight = true;
    this.ping().then(
      () => {
        this.#inFlight = false;
      },
      (error: unknown) => {
        this.#inFlight = false;
        if (this.#timer === undefined) return; // stopped meanwhile: the link is already going
        this.stop();
        this.onDead(error);
      },
    );
  }
}

/** Exponential backoff with jitter: min·2^attempt capped at max, then 50–100 % of that. */
export function backoffDelay(attempt: number, minMs: number, maxMs: number, random = Math.random): number {
  const base = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  return Math.round(base * (0.5 + random() * 0.5));
}
