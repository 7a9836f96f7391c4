/**
 * A health check whose result (success or failure) is reused for `ttlMs`, so readiness
 * probes polled every second do not each walk the HSM. Concurrent callers share one run.
 */
export function cachedHealthCheck(
  check: () => Promise<void>,
  ttlMs = 3_000,
  now: () => number = Date.now,
): () => Promise<void> {
  let last: { result: Promise<void>; at: number } | null = null;
  return () => {
    if (last && now() - last.at < ttlMs) return last.result;
    const result = check();
    // Stored settled-or-not; a rejection is observed by the caller and reused until expiry.
    result.catch(() => {});
    last = { result, at: now() };
    return result;
  };
}
