import type { FastifyInstance } from 'fastify';

export type ReadinessCheck = () => Promise<void>;

/** /health: the process is alive. /ready: it can reach Postgres and Redis. */
export async function healthRoutes(
  app: FastifyInstance,
  checks: Record<string, ReadinessCheck>,
): Promise<void> {
  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async (_request, reply) => {
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await withTimeout(check(), 2_000);
          return [name, 'ok'] as const;
        } catch {
          return [name, 'unavailable'] as const;
        }
      }),
    );
    const ready = results.every(([, state]) => state === 'ok');
    void reply.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not_ready', checks: Object.fromEntries(results) };
  });
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms);
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}
