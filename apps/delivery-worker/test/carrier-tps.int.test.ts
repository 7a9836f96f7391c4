import {
  type CarrierPluginDefinition,
  defineCarrierPlugin,
  type SubmitRequest,
  silentLogger,
  systemClock,
  uuidv7,
} from '@maskline/core';
import { CarrierEventQueue, createRedisConnection, DeliveryQueues } from '@maskline/queues';
import { InboundRepository, MessageRepository, ReceiptRepository } from '@maskline/storage';
import {
  createTestDatabase,
  seedTenant,
  type TestDatabase,
  testMessage,
  uniqueQueuePrefix,
} from '@maskline/testing';
import { trace } from '@opentelemetry/api';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { CarrierEventSinkToQueue } from '../src/carriers/carrier-event-sink.js';
import { CarrierRuntime } from '../src/carriers/carrier-runtime.js';

/**
 * A carrier's TPS cap holds across every worker together: two runtimes (as two worker
 * processes would be) draining one carrier queue never exceed `tps` submits per second.
 */
const submitTimes: number[] = [];
const countingPlugin = defineCarrierPlugin({
  id: 'counting',
  version: '0.0.0',
  protocol: 'http',
  configSchema: z.object({}),
  capabilities: { deliveryReceipts: false, inbound: false, unicode: true, concatenation: false },
  create: () => ({
    start: async () => {},
    health: () => ({ status: 'up' }),
    close: async () => {},
    async submit(request: SubmitRequest) {
      submitTimes.push(Date.now());
      return { carrierMessageId: `c-${request.messageId}`, partIds: [], segments: 1 };
    },
  }),
});

describe('per-carrier TPS cap across workers', () => {
  const TPS = 20;
  let db: TestDatabase;
  const connections: Redis[] = [];
  const runtimes: CarrierRuntime[] = [];
  let queues: DeliveryQueues;
  let events: CarrierEventQueue;
  let messages: MessageRepository;
  let tenantId: string;
  const prefix = uniqueQueuePrefix();

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    ({ tenantId } = await seedTenant(db.pool));
    messages = new MessageRepository(db.pool);
    const producer = createRedisConnection(inject('redisUrl'), 'producer');
    connections.push(producer);
    queues = new DeliveryQueues({ connection: producer, prefix });
    events = new CarrierEventQueue({ connection: producer, prefix });
    for (let i = 0; i < 2; i++) {
      const connection = createRedisConnection(inject('redisUrl'), 'worker');
      connections.push(connection);
      const runtime = CarrierRuntime.create(
        { id: 'capped', plugin: 'counting', tps: TPS, concurrency: 16, config: {} },
        {
          plugins: { counting: countingPlugin as CarrierPluginDefinition<unknown> },
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
              new InboundRepository(db.pool),
              events,
              systemClock,
            ),
        },
      );
      runtimes.push(runtime);
    }
  });
  afterAll(async () => {
    for (const runtime of runtimes) await runtime.stop();
    await queues.close();
    await events.close();
    for (const c of connections) c.disconnect();
    await db.drop();
  });

  it(`never submits more than ${TPS} (+1 at an edge) in any one-second span`, async () => {
    const ids = Array.from({ length: 60 }, () => uuidv7());
    await messages.insertManyAccepted(ids.map((id) => testMessage(tenantId, { id, carrierId: 'capped' })));
    await queues.enqueue(ids.map((id) => ({ carrierId: 'capped', job: { messageId: id, tenantId } })));
    await Promise.all(runtimes.map((r) => r.start()));
    const deadline = Date.now() + 15_000;
    while (submitTimes.length < ids.length && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(submitTimes).toHaveLength(60);
    const sorted = [...submitTimes].sort((a, b) => a - b);
    let busiest = 0;
    for (let i = 0; i < sorted.length; i++) {
      let j = i;
      while (j < sorted.length && sorted[j]! - sorted[i]! < 1_000) j++;
      busiest = Math.max(busiest, j - i);
    }
    expect(busiest).toBeLessThanOrEqual(TPS + 1);
    // And the cap is not a crawl: 60 messages at 20/s take about 3 s.
    expect(sorted[sorted.length - 1]! - sorted[0]!).toBeLessThan(6_000);
    expect(busiest).toBeGreaterThanOrEqual(TPS - 2);
  });
});
