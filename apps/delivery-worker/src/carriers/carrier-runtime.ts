import type { CarrierPluginDefinition, Clock, Logger } from '@maskline/core';
import { MasklineError } from '@maskline/core';
import { type DeliverJob, deliverQueueName } from '@maskline/queues';
import type { MessageRepository } from '@maskline/storage';
import type { Tracer } from '@opentelemetry/api';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { CarrierSettings } from '../config.js';
import { DeliverProcessor } from '../delivery/deliver-processor.js';
import { batchedDeliveryStore, type DeliveryStore } from '../delivery/delivery-store.js';
import type { CarrierEventSinkToQueue } from './carrier-event-sink.js';
import { GuardedCarrier } from './guarded-carrier.js';

export interface CarrierRuntimeDeps {
  plugins: Readonly<Record<string, CarrierPluginDefinition<unknown>>>;
  messages: MessageRepository;
  logger: Logger;
  tracer: Tracer;
  clock: Clock;
  connection: Redis;
  queuePrefix: string;
  submitTimeoutMs: number;
  eventSinkFor(carrierId: string): CarrierEventSinkToQueue;
  /** Storage as the deliver processor sees it; batched by default. */
  deliveryStore?: DeliveryStore;
}

/**
 * BullMQ's limiter counts jobs in fixed windows, so `{max: tps, duration: 1000}` lets up to
 * 2 × tps through in a second that straddles two windows. One job per 1000/tps ms spaces
 * submits evenly instead: any one-second span holds at most tps + 1. The limiter lives in
 * Redis, so it holds across every worker process of the carrier.
 */
export function tpsLimiter(tps: number): { max: number; duration: number } {
  return { max: 1, duration: Math.ceil(1_000 / tps) };
}

/** One configured carrier: its plugin instance and the worker draining its queue. */
export class CarrierRuntime {
  private worker: Worker<DeliverJob> | null = null;

  private constructor(
    readonly settings: CarrierSettings,
    readonly carrier: GuardedCarrier,
    private readonly deps: CarrierRuntimeDeps,
  ) {}

  static create(settings: CarrierSettings, deps: CarrierRuntimeDeps): CarrierRuntime {
    const definition = deps.plugins[settings.plugin];
    if (!definition) {
      throw new MasklineError('config_invalid', {
        message: `Carrier ${settings.id}: unknown plugin "${settings.plugin}" (known: ${Object.keys(deps.plugins).join(', ')}).`,
      });
    }
    const parsed = definition.configSchema.safeParse(settings.config);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
      throw new MasklineError('config_invalid', {
        message: `Carrier ${settings.id}: invalid config at ${fields}.`,
      });
    }
    const logger = deps.logger.child({ carrier: settings.id, plugin: definition.id });
    const plugin = definition.create(
      {
        carrierId: settings.id,
        logger,
        tracer: deps.tracer,
        clock: deps.clock,
        events: deps.eventSinkFor(settings.id),
      },
      parsed.data,
    );
    return new CarrierRuntime(settings, new GuardedCarrier(settings.id, plugin, deps.submitTimeoutMs), deps);
  }

  async start(): Promise<void> {
    await this.carrier.start();
    const processor = new DeliverProcessor(
      this.deps.deliveryStore ?? batchedDeliveryStore(this.deps.messages),
      this.carrier,
      this.deps.tracer,
      this.deps.logger,
    );
    const worker: Worker<DeliverJob> = new Worker<DeliverJob>(
      deliverQueueName(this.settings.id),
      (job) => processor.process(job, worker),
      {
        connection: this.deps.connection,
        prefix: this.deps.queuePrefix,
        concurrency: this.settings.concurrency,
        ...(this.settings.tps > 0 ? { limiter: tpsLimiter(this.settings.tps) } : {}),
      },
    );
    worker.on('error', (error) =>
      this.deps.logger.warn({ err: error, carrier: this.settings.id }, 'worker error'),
    );
    this.worker = worker;
  }

  /** Stop taking jobs, let active ones finish, then close the carrier link. */
  async stop(): Promise<void> {
    await this.worker?.close();
    await this.carrier.close();
  }
}
