import { resolveCarrierSecrets } from '@maskline/app-runtime';
import type {
  CarrierCallbackRoute,
  CarrierCapabilities,
  CarrierEventSink,
  CarrierHealth,
  CarrierPluginDefinition,
  Clock,
  Logger,
  SlotLeases,
} from '@maskline/core';
import { MasklineError } from '@maskline/core';
import { createPluginHttpClient } from '@maskline/plugin-sdk';
import type { RedisClient } from '@maskline/queues';
import {
  type AnyDeliverJob,
  type CarrierHealthBoard,
  DeliveryQueues,
  deliverQueueName,
  type JobLockConfig,
  jobRecoveryOptions,
  TpsReservations,
  tpsKey,
  workerBackoffSettings,
} from '@maskline/queues';
import type { MessageRepository } from '@maskline/storage';
import type { Tracer } from '@opentelemetry/api';
import { DelayedError, type Job, Worker } from 'bullmq';
import type { CarrierSettings } from '../config.js';
import type { Failover } from '../delivery/carrier-failover.js';
import { DeliverProcessor, type SubmitTarget } from '../delivery/deliver-processor.js';
import { batchedDeliveryStore, type DeliveryStore } from '../delivery/delivery-store.js';
import { LoadGate, loadAheadLimit } from '../delivery/load-gate.js';
import type { CarrierEventSinkToQueue } from './carrier-event-sink.js';
import { CarrierLink } from './carrier-link.js';
import type { GuardedCarrier } from './guarded-carrier.js';

export interface CarrierRuntimeDeps {
  plugins: Readonly<Record<string, CarrierPluginDefinition<unknown>>>;
  messages: MessageRepository;
  logger: Logger;
  tracer: Tracer;
  clock: Clock;
  connection: RedisClient;
  queuePrefix: string;
  submitTimeoutMs: number;
  eventSinkFor(carrierId: string): CarrierEventSinkToQueue;
  /** Storage as the deliver processor sees it; batched by default. */
  deliveryStore?: DeliveryStore;
  /** Job lock timing (JOB_LOCK_MS, JOB_STALLED_CHECK_MS); BullMQ defaults are far slower. */
  jobLock?: JobLockConfig;
  /** Carrier start/retry timing; see CarrierLifecycle. */
  lifecycle?: Partial<CarrierLifecycle>;
  /** The public base URL of the callback server, when this process serves callbacks. */
  callbackBaseUrl?: string;
  /** Where `{env: NAME}` secret sources are read (default: this process's environment). */
  secretsEnv?: NodeJS.ProcessEnv;
  /** Where this carrier's link health is shared with every process (docs/routing.md). */
  healthBoard?: CarrierHealthBoard;
  /** Moves messages this carrier cannot take to another one (none: they wait here). */
  failover?: Failover;
  /** The carrier's connection slots shared with the other processes (none: all are ours). */
  slotLeasesFor?(carrierId: string): SlotLeases;
}

export interface CarrierLifecycle {
  /** Bound on the plugin's start() and close(). */
  startTimeoutMs: number;
  /** Waits between failed starts, doubling from retryMinMs up to retryMaxMs. */
  retryMinMs: number;
  retryMaxMs: number;
  /** How often a started plugin's health is read. */
  healthCheckMs: number;
}

export const DEFAULT_CARRIER_LIFECYCLE: CarrierLifecycle = {
  startTimeoutMs: 30_000,
  retryMinMs: 500,
  retryMaxMs: 30_000,
  healthCheckMs: 1_000,
};

/**
 * One configured carrier: its plugin (kept connected by a CarrierLink) and the worker
 * draining its queue. The worker exists only once the plugin started, and is paused
 * while the plugin reports itself down, so a carrier that is away takes no jobs (they
 * would only burn their attempts) and never holds up the other carriers.
 */
export class CarrierRuntime {
  private worker: Worker<AnyDeliverJob> | null = null;
  /** Adds the own jobs of messages whose attempt in a batch failed (created with the worker). */
  private retries: DeliveryQueues | null = null;
  private readonly link: CarrierLink;
  /** How long a job taken while the link is down waits before it is tried again. */
  private readonly retryWhileDownMs: number;
  private healthTimer: NodeJS.Timeout | null = null;

  private constructor(
    readonly settings: CarrierSettings,
    /** The carrier's HTTP callback routes (none for a plugin without callbacks). */
    readonly callbackRoutes: readonly CarrierCallbackRoute[],
    /** Where its receipts and inbound messages go, from the plugin or its callbacks. */
    readonly events: CarrierEventSink,
    createPlugin: () => ReturnType<CarrierPluginDefinition<unknown>['create']>,
    private readonly deps: CarrierRuntimeDeps,
    private readonly logger: Logger,
    private readonly capabilities: CarrierCapabilities,
  ) {
    this.retryWhileDownMs = deps.lifecycle?.healthCheckMs ?? DEFAULT_CARRIER_LIFECYCLE.healthCheckMs;
    this.link = new CarrierLink({
      carrierId: settings.id,
      createPlugin,
      logger,
      submitTimeoutMs: deps.submitTimeoutMs,
      ...DEFAULT_CARRIER_LIFECYCLE,
      ...deps.lifecycle,
      onUp: (carrier) => {
        this.takeJobs(carrier);
        this.publishHealth();
      },
      onDown: (standby) => {
        // On standby the carrier is up in other processes: they take its jobs, not this
        // one, and it is neither failed over nor reported down.
        if (standby) {
          void this.worker?.pause(true);
          return;
        }
        // With failover the worker keeps taking the carrier's jobs, to move them elsewhere
        // (routes may be added while it is down); a job nothing can move waits as before,
        // without its messages being loaded. That holds for a carrier that never started
        // too: its worker is created now, so what is queued for it can still move. Without
        // failover it stops taking them.
        if (deps.failover) this.takeJobs(null);
        else void this.worker?.pause(true);
        this.publishHealth();
      },
    });
  }

  /** Shares the link's state (and the plugin's capabilities) with every process. */
  private publishHealth(): void {
    const board = this.deps.healthBoard;
    if (!board) return;
    const health = this.link.health();
    if (health.standby) return; // the processes holding the binds report the carrier
    const status = health.status;
    board
      .publish(this.settings.id, {
        state: status === 'down' ? 'down' : 'up',
        unicode: this.capabilities.unicode,
        concatenation: this.capabilities.concatenation,
      })
      .catch((error: unknown) => this.logger.debug({ err: error }, 'carrier health not shared'));
  }

  /**
   * Checks the carrier against its plugin at boot and resolves the secrets the plugin
   * declares; a config_invalid error names the carrier and the field (never a value).
   */
  static create(settings: CarrierSettings, deps: CarrierRuntimeDeps): CarrierRuntime {
    const definition = deps.plugins[settings.plugin];
    if (!definition) {
      throw new MasklineError('config_invalid', {
        message: `carrier "${settings.id}": plugin: unknown plugin "${settings.plugin}" (known: ${Object.keys(deps.plugins).join(', ')}).`,
      });
    }
    // First: it refuses a declared secret written inline in config, which the plugin's
    // schema would otherwise drop without a word.
    const secrets = resolveCarrierSecrets(settings, {
      pluginId: definition.id,
      declared: definition.secrets,
      ...(deps.secretsEnv ? { env: deps.secretsEnv } : {}),
    });
    const parsed = definition.configSchema.safeParse(settings.config);
    if (!parsed.success) {
      const problems = parsed.error.issues.map(
        (issue) => `config${issue.path.map((key) => `.${String(key)}`).join('')}: ${issue.message}`,
      );
      throw new MasklineError('config_invalid', {
        message: `carrier "${settings.id}": ${problems.join('; ')}`,
      });
    }
    const logger = deps.logger.child({ carrier: settings.id, plugin: definition.id });
    const http = createPluginHttpClient({ defaultTimeoutMs: deps.submitTimeoutMs });
    const slots = deps.slotLeasesFor?.(settings.id);
    const callbackUrl =
      deps.callbackBaseUrl === undefined ? undefined : `${deps.callbackBaseUrl}/carriers/${settings.id}`;
    const events = deps.eventSinkFor(settings.id);
    const createPlugin = () =>
      definition.create(
        {
          carrierId: settings.id,
          logger,
          tracer: deps.tracer,
          clock: deps.clock,
          events,
          secrets,
          http,
          ...(callbackUrl === undefined ? {} : { callbackUrl }),
          ...(slots ? { slots } : {}),
        },
        parsed.data,
      );
    // Routes need no started plugin: any worker process verifies and parses a callback.
    const callbackRoutes =
      callbackUrl === undefined || !definition.callbacks
        ? []
        : definition.callbacks({ carrierId: settings.id, logger, secrets, callbackUrl }, parsed.data);
    return new CarrierRuntime(
      settings,
      callbackRoutes,
      events,
      createPlugin,
      deps,
      logger,
      definition.capabilities,
    );
  }

  /**
   * Tries to start the carrier once and resolves either way: a carrier that did not start
   * is retried in the background (with backoff) and takes jobs as soon as it is up.
   */
  async start(): Promise<void> {
    await this.link.start();
    if (this.deps.healthBoard) {
      // Refreshed well within the key's TTL; a process that dies stops refreshing it.
      this.publishHealth();
      const everyMs = this.deps.lifecycle?.healthCheckMs ?? DEFAULT_CARRIER_LIFECYCLE.healthCheckMs;
      this.healthTimer = setInterval(() => this.publishHealth(), everyMs);
      this.healthTimer.unref();
    }
  }

  health(): CarrierHealth {
    return this.link.health();
  }

  /**
   * Takes jobs through the link's carrier: creates the worker the first time (with
   * `carrier` null while the plugin has not started yet: then only to fail jobs over),
   * resumes it after.
   */
  private takeJobs(carrier: GuardedCarrier | null): void {
    if (this.worker) {
      if (this.worker.isPaused()) this.worker.resume();
      return;
    }
    const carrierId = this.settings.id;
    const retries = new DeliveryQueues({ connection: this.deps.connection, prefix: this.deps.queuePrefix });
    this.retries = retries;
    // The TPS cap (across every worker process): each job reserves its submits' slots in
    // one Redis call and spaces them; BullMQ's limiter would count jobs, i.e. batches.
    const tps =
      this.settings.tps > 0
        ? new TpsReservations(
            this.deps.connection,
            tpsKey(this.deps.queuePrefix, carrierId),
            this.settings.tps,
          )
        : null;
    const link = this.link;
    // Submits go to whichever plugin instance the link has started (none yet: unavailable).
    const target: SubmitTarget = {
      carrierId,
      submit: (request) =>
        link.current()?.submit(request) ??
        Promise.reject(new MasklineError('carrier_unavailable', { message: 'The carrier has not started.' })),
    };
    const processor = new DeliverProcessor(
      this.deps.deliveryStore ?? batchedDeliveryStore(this.deps.messages),
      target,
      this.deps.tracer,
      this.deps.logger,
      {
        retryLater: (job, timing) => retries.retryLater(carrierId, job, timing),
        withOwnJob: (ids) => retries.withOwnJob(carrierId, ids),
        ...(tps ? { pacing: tps } : {}),
        ...(this.deps.failover ? { failover: this.deps.failover } : {}),
        loadGate: new LoadGate(loadAheadLimit(this.settings.loadAhead, carrier?.inFlightLimit)),
      },
    );
    const processJob = async (job: Job<AnyDeliverJob>, token?: string) => {
      // Pausing the worker still lets a fetch already waiting in Redis take one job; a job
      // taken while the link is down goes back for later without spending an attempt.
      const health = this.link.health();
      if (health.status === 'down' && token) {
        // Failover first (not on standby: the carrier is up elsewhere): what moved to
        // another carrier is done here.
        if (!health.standby && (await processor.failOverAll(job)) === 0) return [];
        await job.moveToDelayed(Date.now() + this.retryWhileDownMs, token);
        throw new DelayedError();
      }
      return processor.process(job);
    };
    const worker = new Worker<AnyDeliverJob>(deliverQueueName(carrierId), processJob, {
      connection: this.deps.connection,
      prefix: this.deps.queuePrefix,
      concurrency: this.settings.concurrency,
      // A retry_after answer is an attempt, retried no sooner than the carrier asked.
      settings: workerBackoffSettings,
      // A dead process's jobs resume within seconds; a live one renews its locks.
      ...jobRecoveryOptions(this.deps.jobLock),
    });
    worker.on('error', (error) =>
      this.deps.logger.warn({ err: error, carrier: this.settings.id }, 'worker error'),
    );
    this.worker = worker;
  }

  /** Stop taking jobs, let active ones finish, then close the carrier link. */
  async stop(): Promise<void> {
    if (this.healthTimer) clearInterval(this.healthTimer);
    await this.worker?.close();
    await this.retries?.close();
    await this.link.stop();
  }
}
