import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AppName, AppProcess } from '@maskline/local-infra';
import { type SmscSimulator, type SmscSimulatorOptions, startSmscSimulator } from '@maskline/smsc-sim';
import { OtlpCollector } from './otlp-collector.js';
import { seedTenant, TEST_IDEMPOTENCY_SECRET, TEST_PEPPER, TEST_VERIFICATION_SECRET } from './seed.js';
import { createTestDatabase, type TestDatabase, uniqueQueuePrefix } from './test-database.js';

export interface StackFixtureOptions {
  redisUrl: string;
  postgresUrl: string;
  /** Extra env for the ingest app (e.g. fast reconciler settings). */
  ingestEnv?: Record<string, string>;
  receiptEnv?: Record<string, string>;
  /** Extra env for the delivery worker (e.g. HEALTH_PORT). */
  workerEnv?: Record<string, string>;
  /** App log level: info or lower (readiness is read from info lines). Default debug, so
   * privacy scans see the most output. */
  logLevel?: string;
  /** Extra SMPP plugin settings for the sim carrier, e.g. { windowSize: 50, binds: 2 }. */
  carrierConfig?: Record<string, unknown>;
  /** Export spans to the in-test OTLP collector (default true). */
  tracing?: boolean;
  /**
   * Give the apps the database's keyring as a file (VAULT_KEYRING_PATH, see keyringPath)
   * instead of MASKLINE_KEYRING, so the vault CLI can rotate it under the running apps.
   */
  keyringFile?: boolean;
  /** Extra env for every app (e.g. VAULT_CACHE_TTL_MS). */
  appEnv?: Record<string, string>;
  /** Extra simulator options (e.g. { maxBinds: 2 }). */
  simOptions?: Omit<SmscSimulatorOptions, 'host' | 'smppPort' | 'controlPort'>;
  /** Delivery-worker processes side by side (default 1): the first in `apps`, the rest in `extras`. */
  workers?: number;
  /** Receipt-processor processes side by side (default 1). */
  receiptProcessors?: number;
  /** Carriers configured beside `sim` (settings as in a carriers file), for ingest and workers. */
  extraCarriers?: Record<string, unknown>[];
}

/**
 * The real stack for integration tests: a fresh database, its own queue prefix, the SMSC
 * simulator, an OTLP collector, and the three apps as real processes from their build.
 */
export class StackFixture {
  db!: TestDatabase;
  sim!: SmscSimulator;
  collector = new OtlpCollector();
  apiKey = '';
  tenantId = '';
  ingestUrl = '';
  /** The keyring file the apps use (with keyringFile), else ''. */
  keyringPath = '';
  readonly apps = new Map<AppName, AppProcess>();
  /** Processes of an app beyond its first (startExtra), in start order. */
  readonly extras: AppProcess[] = [];
  private env: Record<string, string> = {};
  private carriers = '';

  constructor(private readonly options: StackFixtureOptions) {}

  /** The BullMQ key prefix the apps of this stack use (set by start()). */
  get queuePrefix(): string {
    return this.env.QUEUE_PREFIX ?? '';
  }

  async start(): Promise<this> {
    this.db = await createTestDatabase(this.options.postgresUrl);
    ({ apiKey: this.apiKey, tenantId: this.tenantId } = await seedTenant(this.db.pool));
    this.sim = await startSmscSimulator({
      ...this.options.simOptions,
      host: '127.0.0.1',
      smppPort: 0,
      controlPort: null,
    });
    const otlp = this.options.tracing === false ? null : await this.collector.start();
    this.env = {
      DATABASE_URL: this.db.appUrl,
      REDIS_URL: this.options.redisUrl,
      QUEUE_PREFIX: uniqueQueuePrefix(),
      ...(otlp ? { OTEL_EXPORTER_OTLP_ENDPOINT: otlp } : {}),
      LOG_LEVEL: this.options.logLevel ?? 'debug',
      ...(this.options.keyringFile
        ? { VAULT_KEY_PROVIDER: 'local', VAULT_KEYRING_PATH: this.writeKeyring() }
        : this.db.vaultEnv),
      ...this.options.appEnv,
    };
    this.carriers = JSON.stringify([
      {
        id: 'sim',
        plugin: 'smpp',
        // The simulator is the sandbox carrier of ml_test_ keys (docs/guides/sandbox.md).
        sandbox: true,
        // The bind password is a secret the worker reads from its environment.
        secrets: { password: { env: 'SIM_SMPP_PASSWORD' } },
        config: {
          host: '127.0.0.1',
          port: this.sim.smppPort,
          systemId: 'maskline',
          ...this.options.carrierConfig,
        },
      },
      ...(this.options.extraCarriers ?? []),
    ]);
    await this.startApp('receipt-processor');
    for (let i = 1; i < (this.options.receiptProcessors ?? 1); i++)
      await this.startExtra('receipt-processor');
    await this.startApp('delivery-worker');
    for (let i = 1; i < (this.options.workers ?? 1); i++) await this.startExtra('delivery-worker');
    await this.startApp('ingest');
    return this;
  }

  /** Every running process of `app`: the first, then its extras. */
  processesOf(app: AppName): AppProcess[] {
    const first = this.apps.get(app);
    return [...(first ? [first] : []), ...this.extras.filter((p) => p.app === app)];
  }

  async startApp(app: AppName): Promise<void> {
    const process_ = await this.launch(app);
    this.apps.set(app, process_);
    if (app === 'ingest') {
      const line = process_.lines.find((l) => l.includes('ingest listening')) ?? '';
      const address = /"address":"([^"]+)"/.exec(line)?.[1];
      if (!address) throw new Error(`ingest did not log its address: ${line}`);
      this.ingestUrl = address;
    }
  }

  /** Another process of `app` beside the first (same settings), kept in `extras`. */
  async startExtra(app: Exclude<AppName, 'ingest'>): Promise<AppProcess> {
    const process_ = await this.launch(app);
    this.extras.push(process_);
    return process_;
  }

  private async launch(app: AppName): Promise<AppProcess> {
    const specific: Record<AppName, [Record<string, string>, RegExp]> = {
      ingest: [
        {
          PORT: '0',
          API_KEY_PEPPER: TEST_PEPPER,
          IDEMPOTENCY_KEY_SECRET: TEST_IDEMPOTENCY_SECRET,
          VERIFICATION_CODE_SECRET: TEST_VERIFICATION_SECRET,
          CARRIERS: this.carriers,
          ...this.options.ingestEnv,
        },
        /ingest listening/,
      ],
      'delivery-worker': [
        { CARRIERS: this.carriers, SIM_SMPP_PASSWORD: 'secret', ...this.options.workerEnv },
        /delivery worker running/,
      ],
      'receipt-processor': [{ ...this.options.receiptEnv }, /receipt processor running/],
    };
    const [env, ready] = specific[app];
    const process_ = new AppProcess(app, { ...this.env, ...env });
    await process_.start(ready);
    return process_;
  }

  private writeKeyring(): string {
    const dir = join(mkdtempSync(join(tmpdir(), 'stack-keyring-')), 'secrets');
    mkdirSync(dir, { mode: 0o700 });
    this.keyringPath = join(dir, 'keyring.json');
    writeFileSync(this.keyringPath, this.db.keyring.toJson(), { mode: 0o600 });
    return this.keyringPath;
  }

  async stopApp(app: AppName, hard = false): Promise<void> {
    await this.apps.get(app)?.stop(hard);
    this.apps.delete(app);
  }

  /** Every line every app printed so far (including stopped ones). */
  logLines(): string[] {
    return [...this.apps.values(), ...this.extras].flatMap((a) => a.lines);
  }

  /**
   * One call to the ingest's API as a client would make it: JSON body when given, the
   * fixture's tenant key unless another is named. An empty answer reads as `{}`.
   */
  async api(
    method: string,
    path: string,
    body?: unknown,
    key = this.apiKey,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${this.ingestUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  }

  send(
    message: { to: string; from: string; body: string },
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    return this.api('POST', '/v1/messages', message, this.apiKey, headers);
  }

  /** Polls Postgres until every id reached one of the statuses, or the timeout. */
  async waitForStatus(ids: string[], statuses: string[], timeoutMs = 60_000): Promise<Map<string, string>> {
    const deadline = Date.now() + timeoutMs;
    let current = new Map<string, string>();
    while (Date.now() < deadline) {
      const result = await this.db.pool.query<{ id: string; status: string }>(
        'SELECT id, status FROM messages WHERE id = ANY($1::uuid[])',
        [ids],
      );
      current = new Map(result.rows.map((r) => [r.id, r.status]));
      if (ids.every((id) => statuses.includes(current.get(id) ?? ''))) return current;
      await new Promise((r) => setTimeout(r, 200));
    }
    return current;
  }

  async stop(): Promise<void> {
    for (const app of [...this.apps.keys()]) await this.stopApp(app);
    for (const extra of this.extras.splice(0)) await extra.stop();
    await this.sim?.close();
    await this.collector.stop();
    await this.db?.drop();
  }
}

/** Runs fn over items with at most `limit` in flight. */
export async function inParallel<T, R>(
  items: T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]!, i);
      }
    }),
  );
  return results;
}
