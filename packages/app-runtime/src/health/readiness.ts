/** One dependency's check: resolves when it is usable, rejects (or times out) when not. */
export type ReadinessCheck = () => Promise<void>;

export interface Readiness {
  ready: boolean;
  /** Each check's state; never the reason (the log says what is missing). */
  checks: Record<string, 'ok' | 'unavailable'>;
}

/** Runs every check at once, each bounded by `timeoutMs`; ready when all pass. */
export async function checkReadiness(
  checks: Readonly<Record<string, ReadinessCheck>>,
  timeoutMs = 2_000,
): Promise<Readiness> {
  const results = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        await withTimeout(check(), timeoutMs);
        return [name, 'ok'] as const;
      } catch {
        return [name, 'unavailable'] as const;
      }
    }),
  );
  return { ready: results.every(([, state]) => state === 'ok'), checks: Object.fromEntries(results) };
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms);
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

/** PostgreSQL answers a query and Redis a PING: what every app's readiness starts with. */
export function storeChecks(
  pool: { query(sql: string): Promise<unknown> },
  redis: { ping(): Promise<unknown> },
): Record<'postgres' | 'redis', ReadinessCheck> {
  return {
    postgres: async () => void (await pool.query('SELECT 1')),
    redis: async () => void (await redis.ping()),
  };
}
