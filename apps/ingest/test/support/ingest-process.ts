import {
  AppProcess,
  TEST_IDEMPOTENCY_SECRET,
  TEST_PEPPER,
  TEST_VERIFICATION_SECRET,
  type TestDatabase,
  uniqueQueuePrefix,
} from '@maskline/testing';

export interface IngestProcess {
  url: string;
  queuePrefix: string;
  process: AppProcess;
  send(
    apiKey: string,
    message: { to: string; from: string; body: string },
  ): Promise<{ status: number; retryAfter: string | null; body: Record<string, unknown> }>;
  stop(): Promise<void>;
}

/** The ingest alone, as a real process from its build, on a test database. */
export async function startIngestProcess(
  db: TestDatabase,
  redisUrl: string,
  env: Record<string, string> = {},
): Promise<IngestProcess> {
  const queuePrefix = uniqueQueuePrefix();
  const process_ = new AppProcess('ingest', {
    DATABASE_URL: db.appUrl,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: queuePrefix,
    LOG_LEVEL: 'info',
    PORT: '0',
    API_KEY_PEPPER: TEST_PEPPER,
    IDEMPOTENCY_KEY_SECRET: TEST_IDEMPOTENCY_SECRET,
    VERIFICATION_CODE_SECRET: TEST_VERIFICATION_SECRET,
    // The carriers DEFAULT_CARRIER (default "sim") must be one of.
    CARRIERS: JSON.stringify([{ id: 'sim', plugin: 'smpp' }]),
    ...db.vaultEnv,
    ...env,
  });
  await process_.start(/ingest listening/);
  const line = process_.lines.find((l) => l.includes('ingest listening')) ?? '';
  const url = /"address":"([^"]+)"/.exec(line)?.[1];
  if (!url) throw new Error(`ingest did not log its address: ${line}`);
  return {
    url,
    queuePrefix,
    process: process_,
    async send(apiKey, message) {
      const response = await fetch(`${url}/v1/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(message),
      });
      return {
        status: response.status,
        retryAfter: response.headers.get('retry-after'),
        body: (await response.json()) as Record<string, unknown>,
      };
    },
    stop: () => process_.stop(),
  };
}
