import { systemClock } from '@maskline/core';
import { MaskingService, MaskingStore } from '@maskline/masking';
import { createRedisConnection, DeliveryQueues } from '@maskline/queues';
import { MessageRepository } from '@maskline/storage';
import { startTelemetry, type Telemetry, withRequestTraceContext } from '@maskline/telemetry';
import { createTestDatabase, seedTenant, type TestDatabase, uniqueQueuePrefix } from '@maskline/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RequestDigests } from '../src/idempotency/request-digests.js';
import { parseReserveRequest } from '../src/masking/masking-requests.js';
import { SessionMessages } from '../src/masking/session-messages.js';

const INCOMING_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const INCOMING_SPAN = '00f067aa0ba902b7';
const TRACEPARENT = /^00-([\da-f]{32})-([\da-f]{16})-01$/;

/**
 * POST /v1/masking/sessions/{id}/messages stores the request's trace context on the
 * message row (as POST /v1/messages does), so the worker's deliver span continues it.
 * Propagation-only telemetry, as in an ingest without an exporter.
 */
describe('a session message keeps the request’s trace', () => {
  let telemetry: Telemetry;
  let db: TestDatabase;
  let redis: Redis;
  let queues: DeliveryQueues;
  let tenantId: string;
  let sessionId: string;
  let sender: SessionMessages;

  beforeAll(async () => {
    telemetry = await startTelemetry({ serviceName: 'session-message-trace-test' });
    db = await createTestDatabase(inject('postgresUrl'));
    ({ tenantId } = await seedTenant(db.pool, 'traced'));
    const logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => logger };
    const masking = new MaskingService(
      new MaskingStore(db.pool),
      db.vault,
      { schedule: async () => {} },
      logger,
      systemClock,
      { quarantineMs: 86_400_000, lowWatermark: 0 },
    );
    await masking.importNumbers(tenantId, 'sim', [{ number: '+447911200020', country: 'GB' }]);
    const { session } = await masking.reserve(
      tenantId,
      parseReserveRequest({ mode: 'verification', participants: ['+447912300020'] }),
      null,
    );
    sessionId = session.id;
    redis = createRedisConnection(inject('redisUrl'), 'producer');
    queues = new DeliveryQueues({ connection: redis, prefix: uniqueQueuePrefix() });
    sender = new SessionMessages(
      masking,
      new MessageRepository(db.pool, db.vault),
      queues,
      logger,
      new RequestDigests(Buffer.from('pepper')),
    );
  });
  afterAll(async () => {
    await queues?.close();
    redis?.disconnect();
    await db?.drop();
    await telemetry?.shutdown();
  });

  const traceOf = async (id: string) => {
    const { rows } = await db.pool.query<{ trace_context: string | null }>(
      'SELECT trace_context FROM messages WHERE id = $1',
      [id],
    );
    return TRACEPARENT.exec(rows[0]?.trace_context ?? '');
  };
  const send = (headers: Record<string, string>) =>
    withRequestTraceContext(headers, () =>
      sender.send(tenantId, sessionId, { to: null, body: 'Your code is 482913' }, null),
    );

  it('continues the request’s traceparent header on the message row', async () => {
    const { message } = await send({ traceparent: `00-${INCOMING_TRACE}-${INCOMING_SPAN}-01` });
    const row = await traceOf(message.id);
    expect(row?.[1]).toBe(INCOMING_TRACE);
    expect(row?.[2]).not.toBe(INCOMING_SPAN); // the request's span, a child of the caller's
  });

  it('starts a valid trace of its own for a request without one', async () => {
    const { message } = await send({});
    const row = await traceOf(message.id);
    expect(row?.[1]).toMatch(/^[\da-f]{32}$/);
    expect(row?.[1]).not.toBe(INCOMING_TRACE);
  });
});
