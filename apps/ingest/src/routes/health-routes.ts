import { checkReadiness, type ReadinessCheck } from '@maskline/app-runtime';
import type { Logger } from '@maskline/core';
import type { FastifyInstance } from 'fastify';

export type { ReadinessCheck };

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
    const { ready, checks: states } = await checkReadiness(checks);
    void reply.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not_ready', checks: states };
  });
}
