import { systemClock } from '@maskline/core';
import { MaskingService, MaskingStore, RelayService } from '@maskline/masking';
import { createRedisConnection, DeliveryQueues, type InboundJob } from '@maskline/queues';
import { InboundRepository, MessageRepository } from '@maskline/storage';
import { createTestDatabase, seedTenant, type TestDatabase, uniqueQueuePrefix } from '@maskline/testing';
import { trace } from '@opentelemetry/api';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { InboundProcessor } from '../src/inbound/inbound-processor.js';
import { MaskingRelay } from '../src/inbound/masking-relay.js';
import { pairRequest } from './support/pair-request.js';

const virtual = (i: number) => `+4479112${String(100000 + i).slice(1)}`;
const real = (i: number) => `+4479123${String(100000 + i).slice(1)}`;

/** Inbound MO -> masking relay -> outbound message, on real PostgreSQL and Redis. */
describe('masking relay in the inbound processor', () => {
  let db: TestDatabase;
  let redis: Redis;
  let queues: DeliveryQueues;
  let inbound: InboundRepository;
  let messages: MessageRepository;
  let masking: MaskingService;
  let tenantA: string;
  let tenantB: string;
  const lines: string[] = [];
  const log = (fields: object, message: string) => void lines.push(`${message} ${JSON.stringify(fields)}`);
  const logger = { debug: log, info: log, warn: log, error: log, child: () => logger };
  const prefix = uniqueQueuePrefix();
  let processor: InboundProcessor;
  let autoReplyProcessor: InboundProcessor;

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    redis = createRedisConnection(inject('redisUrl'), 'producer');
    ({ tenantId: tenantA } = await seedTenant(db.pool, 'A'));
    ({ tenantId: tenantB } = await seedTenant(db.pool, 'B'));
    inbound = new InboundRepository(db.pool, db.vault);
    messages = new MessageRepository(db.pool, db.vault);
    queues = new DeliveryQueues({ connection: redis, prefix });
    const store = new MaskingStore(db.pool);
    masking = new MaskingService(store, db.vault, { schedule: async () => {} }, logger, systemClock, {
      quarantineMs: 86_400_000,
      lowWatermark: 0,
    });
    const tracer = trace.getTracer('test');
    const relay = (policy: ConstructorParameters<typeof RelayService>[2]) =>
      new MaskingRelay(new RelayService(store, db.vault, policy), messages, queues, logger);
    processor = new InboundProcessor(inbound, tracer, logger, relay({ kind: 'drop' }));
    autoReplyProcessor = new InboundProcessor(
      inbound,
      tracer,
      logger,
      relay({ kind: 'auto_reply', text: 'Gone' }),
    );
    await masking.importNumbers(
      tenantA,
      'sim',
      Array.from({ length: 6 }, (_, i) => ({ number: virtual(i), country: 'GB' })),
    );
    await masking.importNumbers(tenantB, 'sim', [{ number: virtual(50), country: 'GB' }]);
  });
  afterAll(async () => {
    await queues.close();
    redis.disconnect();
    await db.drop();
  });

  async function receive(from: string, to: string, body: string, p = processor): Promise<string> {
    const inboundId = await inbound.insert('sim', {
      type: 'inbound',
      from,
      to,
      body,
      receivedAt: new Date().toISOString(),
    });
    await p.process({ data: { inboundId, carrierId: 'sim' } } as Job<InboundJob>);
    return inboundId;
  }

  /** The messages relayed for an inbound id, opened as the delivery worker would. */
  async function relayed(inboundId: string) {
    const rows = await db.pool.query<{ id: string; status: string; tenant_id: string }>(
      'SELECT id, status, tenant_id FROM messages WHERE idempotency_key = $1',
      [`masking-relay:${inboundId}`],
    );
    const records = await messages.loadManyForDelivery(rows.rows.map((r) => r.id));
    return rows.rows.map((r, i) => ({ ...r, content: records[i]?.content }));
  }

  it('relays a pair conversation both ways from the virtual number, body intact, payloads id-only', async () => {
    const { session } = await masking.reserve(tenantA, pairRequest([real(1), real(2)]), null);
    const long = `Hello B — ${'long multipart text '.repeat(12)}end ✓`;
    const there = await receive(real(1), session.virtualNumber, long);
    const [out] = await relayed(there);
    expect(out).toMatchObject({ status: 'queued', tenant_id: tenantA });
    expect(out?.content).toEqual({ to: real(2), from: session.virtualNumber, body: long });
    const back = await receive(real(2), session.virtualNumber, 'Hi A');
    expect((await relayed(back))[0]?.content).toEqual({
      to: real(1),
      from: session.virtualNumber,
      body: 'Hi A',
    });

    const job = await queues.queueFor('sim').getJob(out!.id);
    expect(job?.data).toEqual({ messageId: out!.id, tenantId: tenantA });
    const processed = (
      await db.pool.query('SELECT processed_at FROM inbound_messages WHERE id = $1', [there])
    ).rows[0];
    expect(processed.processed_at).not.toBeNull();
    // Running the same job again relays nothing more.
    await processor.process({ data: { inboundId: there, carrierId: 'sim' } } as Job<InboundJob>);
    expect(await relayed(there)).toHaveLength(1);

    const output = lines.join('\n') + JSON.stringify(job?.data);
    for (const n of [real(1), real(2)]) expect(output).not.toContain(n.slice(1));
    expect(output).not.toContain('Hello B');
    await masking.release(tenantA, session.id);
  });

  it('an MO the carrier sends twice with its id is stored once and relayed once', async () => {
    const { session } = await masking.reserve(
      tenantA,
      pairRequest([real(40), real(41)], {
        constraints: { country: null, carrierId: null, capabilities: ['sms-mo'] },
      }),
      null,
    );
    const mo = {
      type: 'inbound' as const,
      from: real(40),
      to: session.virtualNumber,
      body: 'sent once',
      carrierMessageId: 'mo-dup-01',
      receivedAt: new Date().toISOString(),
    };
    // The dead bind's copy and the redelivery, stored at the same time by two workers.
    const ids = await Promise.all([inbound.insert('sim', mo), inbound.insert('sim', { ...mo })]);
    const again = await inbound.insert('sim', { ...mo, receivedAt: new Date().toISOString() });
    expect(new Set([...ids, again]).size).toBe(1);
    for (const inboundId of [...ids, again])
      await processor.process({ data: { inboundId, carrierId: 'sim' } } as Job<InboundJob>);
    const rows = await db.pool.query('SELECT id FROM inbound_messages WHERE carrier_message_id = $1', [
      'mo-dup-01',
    ]);
    expect(rows.rowCount).toBe(1);
    const relays = await Promise.all([...ids, again].map((id) => relayed(id)));
    expect(new Set(relays.flat().map((m) => m.id)).size).toBe(1);
    await masking.release(tenantA, session.id);
  });

  it('strangers follow the session policy; a participant of another tenant is a stranger here', async () => {
    const base = {
      mode: 'pair' as const,
      ttlSeconds: 600,
      constraints: { country: null, carrierId: null, capabilities: ['sms-mo' as const] },
      autoReplyText: null,
      inboxDelivery: 'participant' as const,
    };
    const dropped = await masking.reserve(
      tenantA,
      { ...base, nonParticipantPolicy: 'drop', participants: [real(3), real(4)] },
      null,
    );
    const hooked = await masking.reserve(
      tenantA,
      { ...base, nonParticipantPolicy: 'webhook', participants: [real(3), real(4)] },
      null,
    );
    const replied = await masking.reserve(
      tenantA,
      {
        ...base,
        nonParticipantPolicy: 'auto_reply',
        autoReplyText: 'Not for you',
        participants: [real(3), real(4)],
      },
      null,
    );
    const inB = await masking.reserve(
      tenantB,
      { ...base, nonParticipantPolicy: 'drop', participants: [real(9), real(4)] },
      null,
    );

    // real(9) is a participant only in tenant B's session: to tenant A's numbers it is a stranger.
    const d = await receive(real(9), dropped.session.virtualNumber, 'x');
    expect(await relayed(d)).toEqual([]);
    const w = await receive(real(9), hooked.session.virtualNumber, 'y');
    expect(await relayed(w)).toEqual([]);
    const r = await receive(real(9), replied.session.virtualNumber, 'z');
    expect((await relayed(r))[0]?.content).toEqual({
      to: real(9),
      from: replied.session.virtualNumber,
      body: 'Not for you',
    });

    const events = (await masking.events(tenantA, { limit: 20, cursor: null, type: null })).data;
    const byInbound = new Map(events.map((e) => [e.payload.inboundId, e]));
    expect(byInbound.get(d)).toMatchObject({
      type: 'inbound.dropped',
      sessionId: dropped.session.id,
      payload: { reason: 'non_participant' },
    });
    expect(byInbound.get(w)).toMatchObject({
      type: 'inbound.received',
      sessionId: hooked.session.id,
      payload: { reason: 'non_participant', fromMasked: '+4479****0009' },
    });
    expect(byInbound.get(r)).toMatchObject({ type: 'inbound.auto_replied' });
    expect(JSON.stringify(events)).not.toContain(real(9).slice(1));
    expect(String(byInbound.get(w)?.payload.from)).toMatch(/^pn_/);
    // Nothing of tenant A's traffic shows in tenant B's events, and B's session relays for B only.
    expect((await masking.events(tenantB, { limit: 20, cursor: null, type: null })).data).toEqual([]);
    const inside = await receive(real(9), inB.session.virtualNumber, 'to B');
    expect((await relayed(inside))[0]).toMatchObject({
      tenant_id: tenantB,
      content: { to: real(4), body: 'to B' },
    });
  });

  it('inbox: anyone reaches the owner; verification replies go to the webhook record', async () => {
    const base = {
      ttlSeconds: 600,
      constraints: { country: null, carrierId: null, capabilities: ['sms-mo' as const] },
      nonParticipantPolicy: 'drop' as const,
      autoReplyText: null,
      inboxDelivery: 'participant' as const,
    };
    const { session: inbox } = await masking.reserve(
      tenantA,
      { ...base, mode: 'inbox', participants: [real(20)] },
      null,
    );
    const any = await receive(real(21), inbox.virtualNumber, 'to the inbox');
    expect((await relayed(any))[0]?.content).toEqual({
      to: real(20),
      from: inbox.virtualNumber,
      body: 'to the inbox',
    });
    await masking.release(tenantA, inbox.id);
  });

  it('verification: an inbound is recorded for the webhook, flagged for code extraction, the code not stored', async () => {
    await masking.importNumbers(tenantA, 'v', [{ number: virtual(40), country: 'GB' }]);
    const { session } = await masking.reserve(
      tenantA,
      {
        mode: 'verification',
        participants: [real(22)],
        ttlSeconds: 600,
        constraints: { country: null, carrierId: 'v', capabilities: ['sms-mo'] },
        nonParticipantPolicy: 'webhook',
        autoReplyText: null,
        inboxDelivery: 'participant',
      },
      null,
    );
    const fromService = await receive(
      real(23),
      session.virtualNumber,
      'Your Acme code is 739214. It expires in 10 minutes.',
    );
    expect(await relayed(fromService)).toEqual([]);
    const events = (await masking.events(tenantA, { limit: 50, cursor: null, type: 'inbound.received' }))
      .data;
    const event = events.find((e) => e.payload.inboundId === fromService);
    expect(event?.payload).toMatchObject({ reason: 'non_participant', codeExtraction: true });
    expect(JSON.stringify(event)).not.toContain('739214');
    await masking.release(tenantA, session.id);
  });

  it('after release the number is quarantined: late replies are dropped (or auto-replied) and never relayed', async () => {
    await masking.importNumbers(tenantA, 'q', [{ number: virtual(30), country: 'GB' }]);
    const { session } = await masking.reserve(
      tenantA,
      pairRequest([real(31), real(32)], {
        constraints: { country: null, carrierId: 'q', capabilities: ['sms-mo'] },
      }),
      null,
    );
    await masking.release(tenantA, session.id);
    const late = await receive(real(31), session.virtualNumber, 'late reply');
    expect(await relayed(late)).toEqual([]);
    const events = (await masking.events(tenantA, { limit: 50, cursor: null, type: 'inbound.dropped' })).data;
    expect(events.find((e) => e.payload.inboundId === late)?.payload.reason).toBe('quarantined');
    const answered = await receive(real(31), session.virtualNumber, 'late again', autoReplyProcessor);
    expect((await relayed(answered))[0]?.content).toEqual({
      to: real(31),
      from: session.virtualNumber,
      body: 'Gone',
    });
    // A number in no pool: dropped without any tenant event.
    const stray = await receive(real(31), '+447911123456', 'stray');
    expect(await relayed(stray)).toEqual([]);
  });
});
