import { type Logger, silentLogger } from '@maskline/core';
import { CarrierEventQueue, createRedisConnection } from '@maskline/queues';
import { InboundRepository, MessageRepository, ReceiptRepository } from '@maskline/storage';
import { createTestDatabase, seedTenant, type TestDatabase, uniqueQueuePrefix } from '@maskline/testing';
import { type Tracer, trace } from '@opentelemetry/api';
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { createCarrierEventsWorker } from '../../src/carrier-events-worker.js';
import { InboundProcessor } from '../../src/inbound/inbound-processor.js';
import { ReceiptProcessor } from '../../src/receipts/receipt-processor.js';
import { batchedReceiptStore } from '../../src/receipts/receipt-store.js';

export interface CarrierEventsHarnessOptions {
  tracer?: Tracer;
  logger?: Logger;
  concurrency?: number;
  /** Delay before an unmatched receipt's own retry job runs (the processor's default if absent). */
  retryDelayMs?: number;
}

/**
 * The carrier-events worker as the receipt processor runs it (real PostgreSQL database of
 * its own, real Redis under a fresh queue prefix, one seeded tenant), for tests that drive
 * it by publishing receipt and inbound jobs. `close()` undoes all of it.
 */
export interface CarrierEventsHarness {
  db: TestDatabase;
  tenantId: string;
  prefix: string;
  /** The producer side (as the delivery worker's sink publishes). */
  events: CarrierEventQueue;
  messages: MessageRepository;
  receipts: ReceiptRepository;
  inbound: InboundRepository;
  processor: ReceiptProcessor;
  worker: Worker;
  /** Redis connection the producer side uses (for tests that look at queue keys). */
  producer: Redis;
  close(): Promise<void>;
}

export async function startCarrierEventsHarness(
  urls: { postgresUrl: string; redisUrl: string },
  options: CarrierEventsHarnessOptions = {},
): Promise<CarrierEventsHarness> {
  const tracer = options.tracer ?? trace.getTracer('test');
  const logger = options.logger ?? silentLogger;
  const prefix = uniqueQueuePrefix();
  const db = await createTestDatabase(urls.postgresUrl);
  const workerConnection = createRedisConnection(urls.redisUrl, 'worker');
  const producer = createRedisConnection(urls.redisUrl, 'producer');
  const { tenantId } = await seedTenant(db.pool);
  const receipts = new ReceiptRepository(db.pool);
  const inbound = new InboundRepository(db.pool, db.vault);
  const events = new CarrierEventQueue({ connection: producer, prefix });
  const processor = new ReceiptProcessor(
    batchedReceiptStore(receipts),
    events,
    tracer,
    logger,
    ...(options.retryDelayMs === undefined ? [] : [options.retryDelayMs]),
  );
  const worker = createCarrierEventsWorker({
    connection: workerConnection,
    prefix,
    concurrency: options.concurrency ?? 4,
    receipts: processor,
    inbound: new InboundProcessor(inbound, tracer, logger),
  });
  return {
    db,
    tenantId,
    prefix,
    events,
    messages: new MessageRepository(db.pool, db.vault),
    receipts,
    inbound,
    processor,
    worker,
    producer,
    async close() {
      await worker.close();
      await events.close();
      workerConnection.disconnect();
      producer.disconnect();
      await db.drop();
    },
  };
}
