/**
 * The HTTP load itself, the same for both gateways: a closed loop of C clients for the
 * throughput run, an open loop at a fixed rate for the soak. Every request's latency is
 * kept for percentiles.
 */
export interface RequestOutcome {
  /** The gateway accepted the message (HTTP 202). */
  accepted: boolean;
  /** When the request was sent (Date.now()). */
  sentAt: number;
  /** When the response arrived (Date.now()). */
  at: number;
  latencyMs: number;
}

export interface LoadCounters {
  sent: number;
  /** Open loop only: sends skipped because `maxInFlight` requests were outstanding. */
  skipped: number;
  accepted: number;
  lastAcceptedAt: number;
}

/** Runs send(i) for i < total with `concurrency` in flight; counts into `counters` as it goes. */
export async function closedLoop(
  total: number,
  concurrency: number,
  send: (i: number) => Promise<boolean>,
  counters: LoadCounters,
): Promise<RequestOutcome[]> {
  const outcomes: RequestOutcome[] = new Array(total);
  let next = 0;
  const client = async () => {
    while (next < total) {
      const i = next++;
      counters.sent++;
      const sentAt = Date.now();
      const started = performance.now();
      const accepted = await send(i).catch(() => false);
      const at = Date.now();
      outcomes[i] = { accepted, sentAt, at, latencyMs: performance.now() - started };
      if (accepted) {
        counters.accepted++;
        counters.lastAcceptedAt = at;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, client));
  return outcomes;
}

/**
 * Sends at `rate` per second for `seconds` (at most `maxInFlight` outstanding: beyond that a
 * send is skipped and counted as not accepted), then waits for the last responses.
 */
export async function openLoop(
  rate: number,
  seconds: number,
  maxInFlight: number,
  send: (i: number) => Promise<boolean>,
  counters: LoadCounters,
): Promise<RequestOutcome[]> {
  const outcomes: RequestOutcome[] = [];
  const pending = new Set<Promise<void>>();
  const start = performance.now();
  const total = Math.round(rate * seconds);
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    counters.sent++;
    if (pending.size >= maxInFlight) {
      counters.skipped++;
      outcomes.push({ accepted: false, sentAt: Date.now(), at: Date.now(), latencyMs: Number.NaN });
      continue;
    }
    const sentAt = Date.now();
    const started = performance.now();
    const p: Promise<void> = send(i)
      .catch(() => false)
      .then((accepted) => {
        const at = Date.now();
        outcomes.push({ accepted, sentAt, at, latencyMs: performance.now() - started });
        if (accepted) {
          counters.accepted++;
          counters.lastAcceptedAt = at;
        }
        pending.delete(p);
      });
    pending.add(p);
  }
  await Promise.all(pending);
  return outcomes;
}

/**
 * Polls `read` every 500 ms until the sending is done and every accepted message is final,
 * or nothing moved for `stallMs` (a lost message must not hang the bench), or the deadline.
 */
export async function waitForFinal(
  read: () => Promise<{ final: number }> | { final: number },
  accepted: () => number,
  sendingDone: () => boolean,
  timeoutMs: number,
  stallMs = 60_000,
): Promise<'done' | 'stalled' | 'timeout'> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  let movedAt = Date.now();
  while (Date.now() < deadline) {
    const { final } = await read();
    if (sendingDone() && final >= accepted()) return 'done';
    if (final !== last) {
      last = final;
      movedAt = Date.now();
    } else if (sendingDone() && Date.now() - movedAt > stallMs) {
      console.error(`\nno progress for ${stallMs / 1000} s: ${final}/${accepted()} final, giving up`);
      return 'stalled';
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return 'timeout';
}

export const emptyCounters = (): LoadCounters => ({ sent: 0, skipped: 0, accepted: 0, lastAcceptedAt: 0 });
