import { systemClock } from '@maskline/core';
import { MaskingService, MaskingStore, RelayService } from '@maskline/masking';
import { createRedisConnection, DeliveryQueues, type InboundJob } from '@maskline/queues';
import { InboundRepository, MessageRepository } from '@maskline/storage';
import { startTelemetry, type Telemetry, trace } from '@maskline/telemetry';
import { createTestDatabase, seedTenant, type TestDatabase, uniqueQueuePrefix } from '@maskline/testing';
import { context, ROOT_CONTEXT, TraceFlags } from '@opentelemetry/api';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { InboundProcessor } from '../src/inbound/inbound-processor.js';
import { MaskingRelay } from '../src/inbound/masking-relay.js';
import { pairRequest } from './support/pair-request.js';

const VIRTUAL = '+447911200031';
const A = '+447912300031';
const B = '+447912300032';
const OUTER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const OUTER_SPAN = '00f067aa0ba902b7';
const TRACEPARENT = /^00-([\da-f]{32})-([\da-f]{16})-01$/;

/**
 * The MO relay's outbound message continues the inbound one's trace: its row carries the
 * traceparent of the inbound span (maskline.inbound), so the worker's deliver span joins
 * it. Propagation-only telemetry, as in a receipt processor without an exporter.
 */
describe('a relayed message keeps the inbound message’s trace', () => {
  let telemetry: Telemetry;
  let db: TestDatabase;
  let redis: Redis;
  let queues: DeliveryQueues;
  let inbound: InboundRepository;
  let processor: InboundProcessor;

  beforeAll(async () => {
    telemetry = await startTelemetry({ serviceName: 'relay-trace-test' });
    db = await createTestDatabase(inject('postgresUrl'));
    const { tenantId } = await seedTenant(db.pool, 'traced');
    const logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => logger };
    const store = new MaskingStore(db.pool);
    const masking = new MaskingService(store, db.vault, { schedule: async () => {} }, logger, systemClock, {
      quarantineMs: 86_400_000,
      lowWatermark: 0,
    });
    await masking.importNumbers(tenantId, 'sim', [{ number: VIRTUAL, country: 'GB' }]);
    await masking.reserve(tenantId, pairRequest([A, B]), null);
    inbound = new InboundRepository(db.pool, db.vault);
    redis = createRedisConnection(inject('redisUrl'), 'producer');
    queues = new DeliveryQueues({ connection: redis, prefix: uniqueQueuePrefix() });
    const relay = new MaskingRelay(
      new RelayService(store, db.vault, { kind: 'drop' }),
      new MessageRepository(db.pool, db.vault),
      queues,
      logger,
    );
    processor = new InboundProcessor(inbound, telemetry.tracer, logger, relay);
  });
  afterAll(async () => {
    await queues?.close();
    redis?.disconnect();
    await db?.drop();
    await telemetry?.shutdown();
  });

  /** Receives one MO from A to the virtual number; returns the relayed message's traceparent. */
  async function relayTrace(body: string): Promise<RegExpExecArray | null> {
    const inboundId = await inbound.insert('sim', {
      type: 'inbound',
      from: A,
      to: VIRTUAL,
      body,
      receivedAt: new Date().toISOString(),
    });
    await processor.process({ data: { inboundId, carrierId: 'sim' } } as Job<InboundJob>);
    const { rows } = await db.pool.query<{ trace_context: string | null }>(
      'SELECT trace_context FROM messages WHERE idempotency_key = $1',
      [`masking-relay:${inboundId}`],
    );
    expect(rows).toHaveLength(1);
    return TRACEPARENT.exec(rows[0]?.trace_context ?? '');
  }

  it('stores the inbound span’s trace on the relayed message', async () => {
    // The inbound span runs inside a known trace, so the relayed row can be checked against it.
    const outer = trace.setSpan(
      ROOT_CONTEXT,
      trace.wrapSpanContext({ traceId: OUTER_TRACE, spanId: OUTER_SPAN, traceFlags: TraceFlags.SAMPLED }),
    );
    const row = await context.with(outer, () => relayTrace('hello B'));
    expect(row?.[1]).toBe(OUTER_TRACE);
    expect(row?.[2]).not.toBe(OUTER_SPAN); // the inbound span, a child of the outer one
  });

  it('roots the relayed message’s trace at the inbound span when nothing came before it', async () => {
    const row = await relayTrace('hello again');
    expect(row?.[1]).toMatch(/^[\da-f]{32}$/);
    expect(row?.[1]).not.toBe(OUTER_TRACE);
  });
});
