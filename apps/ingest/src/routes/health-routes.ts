import type { Logger } from '@maskline/core';
import type { FastifyInstance } from 'fastify';

export type ReadinessCheck = () => Promise<void>;

/**
 * Readiness of the vault's key provider (PKCS#11 token present, session usable, KEK found;
 * or the keyring file readable with its active KEK). The client sees only "unavailable";
 * the log says what is missing, once per change of state.
 */
export function keyProviderCheck(
  vault: { checkKeyProvider(): Promise<void> },
  logger: Pick<Logger, 'warn' | 'info'>,
): ReadinessCheck {
  let failing = false;
  return async () => {
    try {
      await vault.checkKeyProvider();
      if (failing) logger.info({}, 'key provider available again');
      failing = false;
    } catch (error) {
      if (!failing) {
        const code = (error as { code?: string }).code ?? 'vault_unavailable';
        logger.warn({ errorCode: code, reason: (error as Error).message }, 'key provider not ready');
      }
      failing = true;
      throw error;
    }
  };
}

/** /health: the process is alive. /ready: it can reach Postgres, Redis and its KEK. */
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
