import { type CarrierPluginDefinition, type Message, silentLogger, systemClock } from '@maskline/core';
import {
  CarrierEventQueue,
  createRedisConnection,
  DeliveryQueues,
  type DeliveryRetryPolicy,
} from '@maskline/queues';
import { InboundRepository, MessageRepository, ReceiptRepository } from '@maskline/storage';
import { createTestDatabase, seedTenant, type TestDatabase, uniqueQueuePrefix } from '@maskline/testing';
import { trace } from '@opentelemetry/api';
import type { Redis } from 'ioredis';
import { inject } from 'vitest';
import { CarrierEventSinkToQueue } from '../../src/carriers/carrier-event-sink.js';
import type { CarrierRuntimeDeps } from '../../src/carriers/carrier-runtime.js';

/**
 * What the delivery host runs on in tests: its own database and queue prefix on the run's
 * real PostgreSQL and Redis, a tenant, producers, and the deps a CarrierRuntime needs.
 */
export interface TestHost {
  db: TestDatabase;
  messages: MessageRepository;
  queues: DeliveryQueues;
  events: CarrierEventQueue;
  tenantId: string;
  prefix: string;
  /** Deps for one runtime (each gets its own worker connection, as a process would). */
  runtimeDeps(
    plugins: Record<string, CarrierPluginDefinition<unknown>>,
    overrides?: Partial<CarrierRuntimeDeps>,
  ): CarrierRuntimeDeps;
  /** The message once it left accepted/queued (or as it is after `timeoutMs`). */
  settle(id: string, timeoutMs?: number): Promise<Message | null>;
  close(): Promise<void>;
}

export async function startTestHost(retry?: DeliveryRetryPolicy): Promise<TestHost> {
  const db = await createTestDatabase(inject('postgresUrl'));
  const { tenantId } = await seedTenant(db.pool);
  const prefix = uniqueQueuePrefix();
  const producer = createRedisConnection(inject('redisUrl'), 'producer');
  const connections: Redis[] = [producer];
  const messages = new MessageRepository(db.pool, db.vault);
  const queues = new DeliveryQueues({ connection: producer, prefix }, retry);
  const events = new CarrierEventQueue({ connection: producer, prefix });
  return {
    db,
    messages,
    queues,
    events,
    tenantId,
    prefix,
    runtimeDeps(plugins, overrides = {}) {
      const connection = createRedisConnection(inject('redisUrl'), 'worker');
      connections.push(connection);
      return {
        plugins,
        messages,
        logger: silentLogger,
        tracer: trace.getTracer('test'),
        clock: systemClock,
        connection,
        queuePrefix: prefix,
        submitTimeoutMs: 5_000,
        eventSinkFor: (carrierId) =>
          new CarrierEventSinkToQueue(
            carrierId,
            new ReceiptRepository(db.pool),
            new InboundRepository(db.pool, db.vault),
            events,
            systemClock,
            () => {},
          ),
        ...overrides,
      };
    },
    async settle(id, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = await messages.findForTenant(tenantId, id);
        if (m && m.status !== 'accepted' && m.status !== 'queued') return m;
        if (Date.now() > deadline) return m;
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async close() {
      await queues.close();
      await events.close();
      for (const c of connections) c.disconnect();
      await db.drop();
    },
  };
}
