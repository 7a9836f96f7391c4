/**
 * Maskline's side of the bench: a fresh migrated database, a tenant and API key, the SMSC
 * simulator as its own process, and the apps as real processes from their build (1 or 2
 * delivery workers), each with the heap sampler preloaded (NODE_OPTIONS --import) and,
 * when asked, `--cpu-prof`.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { type AppName, AppProcess, type ProcessHandle } from '@maskline/local-infra';
import {
  createTestDatabase,
  seedTenant,
  TEST_PEPPER,
  type TestDatabase,
  uniqueQueuePrefix,
} from '@maskline/testing';
import type { BenchOptions } from './args.js';
import { HttpClient } from './http-client.js';
import type { ProcessFigures } from './report.js';
import { ServerTimings } from './server-timing.js';
import { type SimProcess, startSimProcess } from './sim-process.js';
import { parseHeapSamples } from './stats.js';
import { processTreeUsage } from './tree-usage.js';
import { WebhookReceiver } from './webhook-receiver.js';

/** During the soak each app runs a full GC this often, so the live heap can be read. */
export const SOAK_GC_EVERY_MS = 10_000;
export const FINAL = ['delivered', 'undeliverable', 'expired', 'rejected', 'failed'];
const READY: Record<AppName, RegExp> = {
  ingest: /ingest listening/,
  'delivery-worker': /delivery worker running/,
  'receipt-processor': /receipt processor running/,
};

interface RunningApp {
  /** ingest, delivery-worker, delivery-worker-2, receipt-processor */
  name: string;
  process: AppProcess;
}

/** A discarding OTLP/HTTP receiver, so tracing costs what exporting costs and nothing more. */
async function startOtlpSink(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, server };
}

export class MasklineStack {
  db!: TestDatabase;
  sim!: SimProcess;
  apiKey = '';
  ingestUrl = '';
  readonly apps: RunningApp[] = [];
  /** The ingest's Server-Timing stages of every answered request, with --server-timing. */
  readonly serverTimings = new ServerTimings();
  /** Receives the bench tenant's signed message.status webhooks. */
  readonly webhooks = new WebhookReceiver();
  private otlp: { url: string; server: Server } | null = null;
  private http: HttpClient | null = null;
  /** The simulator from the moment it is spawned (this.sim is set once it listens). */
  private simHandle: ProcessHandle | null = null;
  /** Set by stop(): nothing starts after it (a signal may stop the bench mid-start). */
  private stopped = false;

  constructor(
    private readonly options: BenchOptions,
    private readonly infra: {
      redisUrl: string;
      postgresUrl: string;
      redisPid?: number;
      postgresPid?: number;
    },
    /** The run's temp dir: heap samples and CPU profiles go under it. */
    readonly dir: string,
  ) {}

  /** The stack's Redis (the bench reads its command counters). */
  get redisUrl(): string {
    return this.infra.redisUrl;
  }

  heapFile(app: string): string {
    return join(this.dir, `heap-${app}.jsonl`);
  }

  profileDir(app: string): string {
    return join(this.dir, 'profiles', app);
  }

  async start(): Promise<void> {
    const o = this.options;
    this.db = await createTestDatabase(this.infra.postgresUrl);
    ({ apiKey: this.apiKey } = await seedTenant(this.db.pool));
    await this.webhooks.start();
    this.sim = await startSimProcess(o.latencyMs, (handle) => {
      this.simHandle = handle;
      if (this.stopped) void handle.stop(); // a signal stopped the bench meanwhile
    });
    if (o.tracing) this.otlp = await startOtlpSink();
    const common: Record<string, string> = {
      // As in production: the apps' role, and this run's own keyring.
      DATABASE_URL: this.db.appUrl,
      ...this.db.vaultEnv,
      REDIS_URL: this.infra.redisUrl,
      QUEUE_PREFIX: uniqueQueuePrefix(),
      LOG_LEVEL: 'info',
      // The vault's keys for this database, once the test database carries them.
      ...((this.db as { vaultEnv?: Record<string, string> }).vaultEnv ?? {}),
      ...(this.otlp ? { OTEL_EXPORTER_OTLP_ENDPOINT: this.otlp.url } : {}),
      // The harness's webhook receiver listens on loopback.
      WEBHOOK_ALLOW_LOOPBACK: '1',
      WEBHOOK_ALLOWED_PORTS: String(this.webhooks.port),
      // Jobs (batches of up to 50 deliveries) at once in the receipt processor (default 4).
      WEBHOOK_CONCURRENCY: '16',
    };
    const carriers = JSON.stringify([
      {
        id: 'sim',
        plugin: 'smpp',
        secrets: { password: { env: 'SIM_SMPP_PASSWORD' } },
        config: {
          host: '127.0.0.1',
          port: this.sim.port,
          systemId: 'maskline',
          windowSize: o.window,
          binds: o.binds,
        },
      },
    ]);
    await this.startApp('receipt-processor', 'receipt-processor', common);
    for (let w = 1; w <= o.workers; w++) {
      await this.startApp('delivery-worker', w === 1 ? 'delivery-worker' : `delivery-worker-${w}`, {
        ...common,
        CARRIERS: carriers,
        SIM_SMPP_PASSWORD: 'secret',
      });
    }
    const ingest = await this.startApp('ingest', 'ingest', {
      ...common,
      PORT: '0',
      API_KEY_PEPPER: TEST_PEPPER,
      CARRIERS: carriers,
      ...(o.serverTiming ? { INGEST_SERVER_TIMING: '1' } : {}),
    });
    const line = ingest.lines.find((l) => l.includes('ingest listening')) ?? '';
    const address = /"address":"([^"]+)"/.exec(line)?.[1];
    if (!address) throw new Error(`ingest did not log its address: ${line}`);
    this.ingestUrl = address;
    await this.webhooks.subscribe(this.ingestUrl, this.apiKey);
  }

  private async startApp(app: AppName, name: string, env: Record<string, string>): Promise<AppProcess> {
    const preload = (file: string) => `--import=${new URL(file, import.meta.url).href}`;
    const nodeOptions = [preload('./heap-sampler.js'), ...this.options.appHeapFlags];
    const profileEnv: Record<string, string> = {};
    if (this.options.profile) {
      mkdirSync(this.profileDir(name), { recursive: true });
      nodeOptions.push(preload('./cpu-profiler.js'));
      profileEnv.MASKLINE_CPU_PROFILE_FILE = join(this.profileDir(name), `${name}.cpuprofile`);
    }
    const proc = new AppProcess(app, {
      ...env,
      NODE_OPTIONS: nodeOptions.join(' '),
      MASKLINE_HEAP_SAMPLE_MS: String(this.options.heapSampleMs),
      MASKLINE_HEAP_SAMPLE_FILE: this.heapFile(name),
      ...(this.options.soakSeconds === null ? {} : { MASKLINE_HEAP_GC_EVERY_MS: String(SOAK_GC_EVERY_MS) }),
      ...profileEnv,
    });
    if (this.stopped) throw new Error('the bench is stopping');
    // Listed before it is ready, so stop() (on a signal too) never leaves it behind.
    this.apps.push({ name, process: proc });
    await proc.start(READY[app]);
    return proc;
  }

  async send(i: number): Promise<boolean> {
    this.http ??= new HttpClient(this.options.concurrency);
    const status = await this.http.send(`${this.ingestUrl}/v1/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ to: `+4479${String(10_000_000 + i)}`, from: 'Bench', body: `bench ${i}` }),
      ...(this.options.serverTiming
        ? { onHeaders: (headers) => this.serverTimings.record(headers['server-timing']) }
        : {}),
    });
    return status === 202;
  }

  /**
   * Where the `accepted` messages (HTTP 202s) created from `sinceMs` on stand: not yet
   * submitted, awaiting their receipt, final (the rest; every message in this fresh
   * database is the bench's). Polled every 500 ms during the run, on the server whose CPU is
   * Maskline's: each count reads only a partial index of waiting rows (messages_pending,
   * messages_awaiting_receipt), so a poll costs O(backlog), not O(messages sent): a count
   * over every row cost PostgreSQL ~4 % of its CPU in a 20,000-message run.
   */
  async counts(accepted: number, sinceMs = 0): Promise<{ final: number; submitted: number }> {
    const { rows } = await this.db.pool.query<{ waiting: string; awaiting: string }>(
      `SELECT (SELECT count(*) FROM messages WHERE status IN ('accepted', 'queued')
                 AND created_at >= to_timestamp($1 / 1000.0)) AS waiting,
              (SELECT count(*) FROM messages WHERE status = 'submitted'
                 AND created_at >= to_timestamp($1 / 1000.0)) AS awaiting`,
      [sinceMs],
    );
    const waiting = Number(rows[0]!.waiting);
    const awaiting = Number(rows[0]!.awaiting);
    return { submitted: accepted - waiting, final: accepted - waiting - awaiting };
  }

  /** CPU and peak RSS of every app and the simulator, plus the highest heap sampled. */
  usage(): Record<string, ProcessFigures | null> {
    const out: Record<string, ProcessFigures | null> = {};
    for (const app of this.apps) {
      const u = app.process.usage();
      const samples = existsSync(this.heapFile(app.name))
        ? parseHeapSamples(readFileSync(this.heapFile(app.name), 'utf8'))
        : [];
      out[app.name] = u
        ? {
            ...u,
            ...(samples.length ? { peakHeapUsedMiB: Math.max(...samples.map((s) => s.heapUsedMiB)) } : {}),
          }
        : null;
    }
    if (this.infra.redisPid) out.redis = processTreeUsage(this.infra.redisPid);
    if (this.infra.postgresPid) out.postgres = processTreeUsage(this.infra.postgresPid);
    out['smsc-sim'] = this.sim ? this.sim.usage() : null;
    return out;
  }

  /** The newest .cpuprofile of each app (written when the app exits). */
  profiles(): { app: string; file: string }[] {
    const found: { app: string; file: string }[] = [];
    for (const app of this.apps) {
      const dir = this.profileDir(app.name);
      if (!existsSync(dir)) continue;
      const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
      if (files[0]) found.push({ app: app.name, file: join(dir, files.sort().at(-1)!) });
    }
    return found;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.http?.close();
    for (const app of [...this.apps].reverse()) await app.process.stop();
    await this.simHandle?.stop();
    await this.webhooks.stop();
    await new Promise<void>((resolve) => (this.otlp ? this.otlp.server.close(() => resolve()) : resolve()));
    await this.db?.drop();
  }
}
