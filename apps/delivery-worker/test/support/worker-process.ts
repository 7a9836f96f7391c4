import { AppProcess } from '@maskline/testing';
import { inject } from 'vitest';
import type { TestHost } from './test-host.js';

export interface SmppCarrierEntry {
  id: string;
  port: number;
  /** Extra carrier settings (e.g. concurrency) and SMPP plugin config. */
  concurrency?: number;
  config?: Record<string, unknown>;
}

/** A real delivery-worker process (from its build) on the test host's database and queues. */
export async function startWorkerProcess(
  host: TestHost,
  carriers: readonly SmppCarrierEntry[],
  env: Record<string, string> = {},
): Promise<AppProcess> {
  const worker = new AppProcess('delivery-worker', {
    DATABASE_URL: host.db.appUrl,
    REDIS_URL: inject('redisUrl'),
    QUEUE_PREFIX: host.prefix,
    LOG_LEVEL: 'info',
    ...host.db.vaultEnv,
    CARRIERS: JSON.stringify(
      carriers.map((c) => ({
        id: c.id,
        plugin: 'smpp',
        ...(c.concurrency ? { concurrency: c.concurrency } : {}),
        secrets: { password: { env: 'SIM_SMPP_PASSWORD' } },
        config: { host: '127.0.0.1', port: c.port, systemId: 'maskline', ...c.config },
      })),
    ),
    SIM_SMPP_PASSWORD: 'secret',
    ...env,
  });
  await worker.start(/delivery worker running/);
  return worker;
}

/** Polls until every message has one of the statuses (or the deadline); returns the last read. */
export async function waitForStatuses(
  host: TestHost,
  ids: readonly string[],
  statuses: readonly string[],
  timeoutMs: number,
): Promise<Map<string, string>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await host.db.pool.query<{ id: string; status: string }>(
      'SELECT id, status FROM messages WHERE id = ANY($1::uuid[])',
      [ids],
    );
    const current = new Map(rows.rows.map((r) => [r.id, r.status]));
    if (ids.every((id) => statuses.includes(current.get(id) ?? '')) || Date.now() > deadline) return current;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Polls `check` every 50 ms until it holds or the timeout passes; returns whether it held. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}
