import type { TestReceiver } from '@maskline/testing';
import { StackFixture } from '@maskline/testing/stack';
import { inject } from 'vitest';

/**
 * The real stack with webhooks allowed to the test receivers (loopback, their ports only);
 * `env` adds or overrides dispatcher settings. Not started.
 */
export function webhookStack(
  receivers: readonly TestReceiver[],
  env: Record<string, string> = {},
): StackFixture {
  return new StackFixture({
    redisUrl: inject('redisUrl'),
    postgresUrl: inject('postgresUrl'),
    tracing: false,
    appEnv: {
      WEBHOOK_ALLOW_LOOPBACK: '1',
      WEBHOOK_ALLOWED_PORTS: receivers.map((r) => r.port).join(','),
      ...env,
    },
  });
}

/** Settings that leave sending to the status statements' handoff: the sweep runs once a minute. */
export const HANDOFF_ONLY = { WEBHOOK_SWEEP_MS: '60000', WEBHOOK_LEASE_MS: '60000' };
