/**
 * The whole stack for one drill, every part its own process on free loopback ports under a
 * temp dir, each restartable on its own as a supervisor would: Redis, PostgreSQL (durable
 * settings: a crash must not lose a commit), the SMSC simulator (with its journal), the
 * receipt processor, the delivery worker and the ingest (on a fixed port, so clients find
 * a restarted one), and the receiver of the tenant's signed `message.status` webhooks (in
 * the drill's own process; the loopback target allowed, retries and leases shortened so
 * they fit in a drain: see WEBHOOK_ENV).
 */
import { chmodSync, createWriteStream, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SimProcess, startSimProcess } from '@maskline/loadgen/sim-process';
import { type ReceiverOutage, WebhookReceiver } from '@maskline/loadgen/webhook-receiver';
import {
  type AppName,
  AppProcess,
  ensureInfraBinaries,
  freePort,
  type InfraBinaries,
  type ProcessHandle,
  type RunningPostgres,
  type RunningRedis,
  startPostgres,
  startRedis,
} from '@maskline/local-infra';
import { createTestDatabase, seedTenant, TEST_PEPPER, type TestDatabase } from '@maskline/testing';
import { reapOnExit, removeOnExit } from './reaper.js';

const READY: Record<AppName, RegExp> = {
  ingest: /ingest listening/,
  'delivery-worker': /delivery worker running/,
  'receipt-processor': /receipt processor running/,
};

/**
 * The apps' webhook settings in a drill. The retry base (default 10 s) and the lease (default
 * 120 s: how long a claimed delivery whose job died with a process or a Redis waits to be
 * claimed again) are shortened so a retried or reclaimed delivery arrives within the drain;
 * concurrency as in the bench.
 */
export const WEBHOOK_ENV = {
  WEBHOOK_ALLOW_LOOPBACK: '1',
  WEBHOOK_RETRY_BASE_MS: '1000',
  WEBHOOK_LEASE_MS: '5000',
  WEBHOOK_CONCURRENCY: '16',
} as const;

/** The receiver's outage for the `webhook-receiver` fault: 500s, then dropped connections. */
export const RECEIVER_OUTAGE: readonly { outage: ReceiverOutage; ms: number }[] = [
  { outage: 'error-500', ms: 2_000 },
  { outage: 'drop', ms: 2_000 },
];

export interface ChaosStackOptions {
  carrierLatencyMs: number;
  /** Keep the temp dir (logs, journal) after stop(). */
  keep?: boolean;
  log?: (line: string) => void;
}

export class ChaosStack {
  readonly dir = mkdtempSync(join(tmpdir(), 'maskline-chaos-'));
  readonly journalFile = join(this.dir, 'carrier-journal.jsonl');
  db!: TestDatabase;
  apiKey = '';
  ingestUrl = '';
  /** Takes the drill tenant's signed webhooks. */
  readonly webhooks = new WebhookReceiver();
  private binaries!: InfraBinaries;
  private redis: RunningRedis | null = null;
  private postgres: RunningPostgres | null = null;
  private sim: SimProcess | null = null;
  private readonly apps = new Map<AppName, AppProcess>();
  private readonly logs = new Map<string, WriteStream>();
  private readonly ports = { redis: 0, postgres: 0, ingest: 0, smpp: 0 };
  private env: Record<string, string> = {};
  private readonly unreap: (() => void)[] = [];
  /** Epoch ms the last fault took effect: the killed process seen dead, the FLUSHALL answered. */
  faultEffectiveAt: number | null = null;
  /** Every process started, restarts included (reading its pid). */
  private readonly started: (() => number | undefined)[] = [];

  constructor(private readonly options: ChaosStackOptions) {
    chmodSync(this.dir, 0o755); // PostgreSQL runs as the postgres user when we are root
    if (!options.keep) this.unreap.push(removeOnExit(this.dir));
  }

  async start(): Promise<void> {
    this.binaries = ensureInfraBinaries(this.options.log);
    for (const key of Object.keys(this.ports) as (keyof typeof this.ports)[])
      this.ports[key] = await freePort();
    // Independent parts start side by side: less wall time per drill on two cores.
    await settleAll([this.startRedis(), this.startPostgres(), this.startSim(), this.webhooks.start()]);
    this.db = await createTestDatabase(this.postgres!.url);
    ({ apiKey: this.apiKey } = await seedTenant(this.db.pool));
    this.env = {
      DATABASE_URL: this.db.appUrl,
      ...this.db.vaultEnv,
      REDIS_URL: this.redis!.url,
      LOG_LEVEL: 'info',
      ...WEBHOOK_ENV,
      WEBHOOK_ALLOWED_PORTS: String(this.webhooks.port),
    };
    await Promise.all(
      (['receipt-processor', 'delivery-worker', 'ingest'] as const).map((app) => this.startApp(app)),
    );
    this.ingestUrl = `http://127.0.0.1:${this.ports.ingest}`;
    await this.webhooks.subscribe(this.ingestUrl, this.apiKey);
  }

  /** The pids of every process this stack started, restarted ones included. */
  pids(): number[] {
    return this.started.map((pid) => pid()).filter((pid): pid is number => pid !== undefined);
  }

  private track(pid: () => number | undefined): void {
    this.started.push(pid);
    this.unreap.push(reapOnExit(pid));
  }

  async startRedis(): Promise<void> {
    // Not persistent: a restarted Redis comes back empty, the worst case.
    this.redis = await startRedis({
      redisServer: this.binaries.redisServer,
      dataDir: join(this.dir, 'redis'),
      port: this.ports.redis,
    });
    this.track(pidOf(this.redis.handle));
  }

  async startPostgres(): Promise<void> {
    this.postgres = await startPostgres({
      binDir: this.binaries.postgresBinDir,
      dataDir: join(this.dir, 'pg'),
      port: this.ports.postgres,
    });
    this.track(pidOf(this.postgres.handle));
  }

  async startSim(): Promise<void> {
    this.sim = await startSimProcess(this.options.carrierLatencyMs, (handle) => this.track(pidOf(handle)), {
      SMSC_SIM_PORT: String(this.ports.smpp),
      SMSC_SIM_JOURNAL_FILE: this.journalFile,
    });
  }

  async startApp(app: AppName): Promise<void> {
    const carriers = JSON.stringify([
      {
        id: 'sim',
        plugin: 'smpp',
        secrets: { password: { env: 'SIM_SMPP_PASSWORD' } },
        config: {
          host: '127.0.0.1',
          port: this.ports.smpp,
          systemId: 'maskline',
          windowSize: 50,
        },
      },
    ]);
    const specific: Record<AppName, Record<string, string>> = {
      ingest: {
        HOST: '127.0.0.1',
        PORT: String(this.ports.ingest),
        API_KEY_PEPPER: TEST_PEPPER,
        CARRIERS: carriers,
      },
      'delivery-worker': { CARRIERS: carriers, SIM_SMPP_PASSWORD: 'secret' },
      'receipt-processor': {},
    };
    const log = this.logFor(app);
    const proc = new AppProcess(app, { ...this.env, ...specific[app] }, (line) => log.write(`${line}\n`));
    this.apps.set(app, proc);
    this.track(() => proc.pid);
    await proc.start(READY[app], 60_000);
  }

  /** kill -9 of an app, then a restart as a supervisor would; resolves once it is ready. */
  async crashApp(app: AppName): Promise<void> {
    await this.apps.get(app)?.stop(true);
    this.faultEffectiveAt = Date.now();
    await this.startApp(app);
  }

  /** FLUSHALL: every queue, job and lock gone at once, the processes untouched. */
  async flushRedis(): Promise<void> {
    await redisCommand(this.ports.redis, 'FLUSHALL');
    this.faultEffectiveAt = Date.now();
  }

  /** kill -9 of redis-server, restarted empty on the same port. */
  async crashRedis(): Promise<void> {
    await this.redis?.handle.stop('SIGKILL');
    this.faultEffectiveAt = Date.now();
    await this.startRedis();
  }

  /** PostgreSQL immediate shutdown (SIGQUIT: no checkpoint, crash recovery on start), restarted. */
  async restartPostgres(): Promise<void> {
    await this.postgres?.handle.stop('SIGQUIT', 10_000);
    this.faultEffectiveAt = Date.now();
    await this.startPostgres();
  }

  /** kill -9 of the SMSC simulator with its submits unanswered, restarted on the same port. */
  async crashSim(): Promise<void> {
    await this.sim?.handle.stop('SIGKILL');
    this.faultEffectiveAt = Date.now();
    await this.startSim();
  }

  /** The webhook receiver fails (RECEIVER_OUTAGE: 500s, then dropped connections), then recovers. */
  async failWebhookReceiver(): Promise<void> {
    this.faultEffectiveAt = Date.now();
    for (const { outage, ms } of RECEIVER_OUTAGE) {
      this.webhooks.outage = outage;
      await new Promise((r) => setTimeout(r, ms));
    }
    this.webhooks.outage = null;
  }

  async stop(): Promise<void> {
    for (const app of ['ingest', 'delivery-worker', 'receipt-processor'] as const) {
      await this.apps.get(app)?.stop();
    }
    await this.webhooks.stop();
    await this.sim?.stop();
    await this.db?.pool.end().catch(() => {});
    await this.redis?.stop();
    await this.postgres?.stop();
    for (const unreap of this.unreap.splice(0)) unreap();
    await Promise.all([...this.logs.values()].map((s) => new Promise((resolve) => s.end(resolve))));
    if (!this.options.keep) rmSync(this.dir, { recursive: true, force: true });
  }

  private logFor(app: string): WriteStream {
    let stream = this.logs.get(app);
    if (!stream) {
      stream = createWriteStream(join(this.dir, `${app}.log`), { flags: 'a' });
      this.logs.set(app, stream);
    }
    return stream;
  }
}

/** Like Promise.all, but waits for every start to settle, so stop() finds all that started. */
async function settleAll(starts: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(starts);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** A handle's pid while it runs (so an exited process's reused pid is never killed). */
function pidOf(handle: ProcessHandle): () => number | undefined {
  return () =>
    handle.process.exitCode === null && handle.process.signalCode === null ? handle.process.pid : undefined;
}

/** Sends one inline Redis command and waits for the reply line. */
function redisCommand(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    socket.setTimeout(5_000, () => socket.destroy(new Error(`redis ${command}: no reply`)));
    socket.once('error', reject);
    socket.once('data', (data) => {
      socket.destroy();
      const reply = data.toString().trim();
      if (reply.startsWith('-')) reject(new Error(`redis ${command}: ${reply}`));
      else resolve(reply);
    });
    socket.connect(port, '127.0.0.1', () => socket.write(`${command}\r\n`));
  });
}
