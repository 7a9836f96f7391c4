import { createPgPool } from '@maskline/storage';
import { createTestDatabase, seedTenant, type TestDatabase } from '@maskline/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type MaskingService, type MaskingStore, RelayService } from '../src/index.js';
import {
  capturingLogger,
  maskingService,
  RecordingScheduler,
  realNumber,
  reserveRequest,
  stockPool,
  virtualNumber,
} from './support/fixtures.js';

describe('masking sessions in PostgreSQL', () => {
  let db: TestDatabase;
  let tenantA: string;
  let tenantB: string;
  let service: MaskingService;
  let store: MaskingStore;
  const scheduler = new RecordingScheduler();
  const logs = capturingLogger();

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    ({ tenantId: tenantA } = await seedTenant(db.pool, 'A'));
    ({ tenantId: tenantB } = await seedTenant(db.pool, 'B'));
    ({ service, store } = maskingService(db.pool, db.vault, { scheduler, logger: logs }));
  });
  afterAll(async () => {
    await db.drop();
  });

  it('reserves, maps, reads, rotates and releases a pair session; participants only sealed and masked', async () => {
    await stockPool(service, tenantA, 3, { from: 0 });
    const { session, created } = await service.reserve(tenantA, reserveRequest({ ttlSeconds: 600 }), null);
    expect(created).toBe(true);
    expect(session).toMatchObject({ mode: 'pair', state: 'active', participants: [], country: null });
    expect(session.virtualNumber).toMatch(/^\+4479112/);
    expect(scheduler.jobs.at(-1)).toEqual({ sessionId: session.id, tenantId: tenantA, delayMs: 600_000 });

    const mapped = await service.map(tenantA, session.id, [realNumber(1), realNumber(2)]);
    expect(mapped.participants.map((p) => p.number)).toEqual(['+4479****0001', '+4479****0002']);
    const rows = (
      await db.pool.query('SELECT * FROM masking_participants WHERE session_id = $1', [session.id])
    ).rows;
    const stored = JSON.stringify(rows) + Buffer.concat(rows.map((r) => r.number_sealed)).toString('latin1');
    for (const raw of ['447912300001', '447912300002']) expect(stored).not.toContain(raw);

    await expect(service.map(tenantA, session.id, [realNumber(3)])).rejects.toMatchObject({
      code: 'masking_participants_invalid',
    });
    await expect(service.map(tenantA, session.id, ['07911 300003'])).rejects.toMatchObject({
      code: 'invalid_phone_number',
    });

    const rotated = await service.rotate(tenantA, session.id);
    expect(rotated.virtualNumber).not.toBe(session.virtualNumber);
    expect(rotated.participants).toEqual(mapped.participants);
    const events = await service.events(tenantA, { limit: 10, cursor: null, type: 'session.rotated' });
    expect(events.data[0]).toMatchObject({
      sessionId: session.id,
      payload: { oldVirtualNumber: session.virtualNumber, newVirtualNumber: rotated.virtualNumber },
    });
    const old = (
      await db.pool.query('SELECT state FROM virtual_numbers WHERE e164 = $1', [session.virtualNumber])
    ).rows[0];
    expect(old.state).toBe('quarantined');

    const released = await service.release(tenantA, session.id);
    expect(released.state).toBe('released');
    expect(released.closedAt).not.toBeNull();
    await expect(service.release(tenantA, session.id)).rejects.toMatchObject({
      code: 'masking_session_closed',
    });
    await expect(service.map(tenantA, session.id, [realNumber(3)])).rejects.toMatchObject({
      code: 'masking_session_closed',
    });
    await expect(service.rotate(tenantA, session.id)).rejects.toMatchObject({
      code: 'masking_session_closed',
    });
    const stats = await service.stats(tenantA);
    expect(stats).toEqual([
      { country: 'GB', carrier: 'sim', state: 'available', count: 1 },
      { country: 'GB', carrier: 'sim', state: 'quarantined', count: 2 },
    ]);
    expect(logs.lines.join('\n')).not.toMatch(/4479123/);
  });

  it('honours Idempotency-Key: same request returns the same session, another request conflicts', async () => {
    await stockPool(service, tenantA, 2, { from: 100 });
    const request = reserveRequest({ participants: [realNumber(10)] });
    const first = await service.reserve(tenantA, request, 'key-1');
    const again = await service.reserve(tenantA, request, 'key-1');
    expect(again).toEqual({ session: first.session, created: false });
    await expect(
      service.reserve(tenantA, reserveRequest({ participants: [realNumber(11)] }), 'key-1'),
    ).rejects.toMatchObject({ code: 'idempotency_conflict' });
    // Concurrent retries with one key create one session.
    const results = await Promise.all(
      Array.from({ length: 5 }, () => service.reserve(tenantA, request, 'key-2')),
    );
    expect(new Set(results.map((r) => r.session.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    await service.release(tenantA, first.session.id);
    await service.release(tenantA, results[0]!.session.id);
  });

  it('refuses a number twice and over-mapping, also under concurrent maps, leaving the number free', async () => {
    await stockPool(service, tenantA, 1, { from: 700, carrier: 'dup' });
    const constraints = { country: null, carrierId: 'dup', capabilities: ['sms-mo' as const] };
    await expect(
      service.reserve(
        tenantA,
        reserveRequest({ constraints, participants: [realNumber(70), realNumber(70)] }),
        null,
      ),
    ).rejects.toMatchObject({ code: 'masking_participants_invalid' });
    // The failed reserve took no number.
    const { session } = await service.reserve(tenantA, reserveRequest({ mode: 'inbox', constraints }), null);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => service.map(tenantA, session.id, [realNumber(71 + i)])),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected')) {
      expect((o.reason as { code?: string }).code).toBe('masking_participants_invalid');
    }
    expect((await service.get(tenantA, session.id)).participants).toHaveLength(1);
    await service.release(tenantA, session.id);
  });

  it('matches constraints and answers pool_exhausted when nothing fits', async () => {
    await stockPool(service, tenantA, 1, { from: 200, carrier: 'other', country: 'FR' });
    const constraints = { country: 'FR', carrierId: 'other', capabilities: ['sms-mt' as const] };
    const { session } = await service.reserve(tenantA, reserveRequest({ constraints }), null);
    expect(session).toMatchObject({ virtualNumber: virtualNumber(200), country: 'FR', carrier: 'other' });
    await expect(service.reserve(tenantA, reserveRequest({ constraints }), null)).rejects.toMatchObject({
      code: 'pool_exhausted',
    });
    await expect(service.rotate(tenantA, session.id)).rejects.toMatchObject({ code: 'pool_exhausted' });
    expect((await service.get(tenantA, session.id)).virtualNumber).toBe(virtualNumber(200));
    await service.release(tenantA, session.id);
  });

  it('quarantines released numbers for the cool-off, then allocates them again', async () => {
    const { service: quick } = maskingService(db.pool, db.vault, { settings: { quarantineMs: 1_500 } });
    await stockPool(quick, tenantA, 1, { from: 300, carrier: 'q' });
    const constraints = { country: null, carrierId: 'q', capabilities: ['sms-mo' as const] };
    const { session } = await quick.reserve(tenantA, reserveRequest({ constraints }), null);
    await quick.release(tenantA, session.id);
    await expect(quick.reserve(tenantA, reserveRequest({ constraints }), null)).rejects.toMatchObject({
      code: 'pool_exhausted',
    });
    await new Promise((r) => setTimeout(r, 1_700));
    const next = await quick.reserve(tenantA, reserveRequest({ constraints }), null);
    expect(next.session.virtualNumber).toBe(session.virtualNumber);
    await quick.release(tenantA, next.session.id);
  });

  it('expires sessions past their TTL (state, relay, sweep) and quarantines their numbers', async () => {
    await stockPool(service, tenantA, 1, { from: 400, carrier: 'exp' });
    const constraints = { country: null, carrierId: 'exp', capabilities: ['sms-mo' as const] };
    const { session } = await service.reserve(
      tenantA,
      reserveRequest({ ttlSeconds: 1, participants: [realNumber(40), realNumber(41)], constraints }),
      null,
    );
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await service.get(tenantA, session.id)).state).toBe('expired');
    const relay = new RelayService(store, db.vault, { kind: 'drop' });
    const routed = await relay.route({
      id: crypto.randomUUID(),
      from: realNumber(40),
      to: session.virtualNumber,
      body: 'late',
    });
    expect(routed.outbound).toBeNull();
    expect(routed.decision).toMatchObject({ kind: 'drop', reason: 'no_session' });
    const expired = await store.expireDue(60_000, 100);
    expect(expired.map((e) => e.id)).toContain(session.id);
    const row = (
      await db.pool.query('SELECT state, closed_at FROM masking_sessions WHERE id = $1', [session.id])
    ).rows[0];
    expect(row.state).toBe('expired');
    const number = (
      await db.pool.query('SELECT state FROM virtual_numbers WHERE e164 = $1', [session.virtualNumber])
    ).rows[0];
    expect(number.state).toBe('quarantined');
    await expect(service.release(tenantA, session.id)).rejects.toMatchObject({
      code: 'masking_session_closed',
    });
  });

  it('lists sessions newest first with a cursor, participants masked only', async () => {
    await stockPool(service, tenantB, 5, { from: 500 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(
        (await service.reserve(tenantB, reserveRequest({ participants: [realNumber(50 + i)] }), null)).session
          .id,
      );
    }
    const page1 = await service.list(tenantB, { limit: 3, cursor: null, state: null });
    expect(page1.data.map((s) => s.id)).toEqual(ids.slice(2).reverse());
    const page2 = await service.list(tenantB, { limit: 3, cursor: page1.nextCursor, state: null });
    expect(page2.data.map((s) => s.id)).toEqual(ids.slice(0, 2).reverse());
    expect(page2.nextCursor).toBeNull();
    expect(JSON.stringify([page1, page2])).not.toMatch(/4479123000\d\d/);
    expect((await service.list(tenantB, { limit: 10, cursor: null, state: 'released' })).data).toEqual([]);
  });

  it('keeps tenants apart: A cannot see, map, rotate or release B sessions, nor retire B numbers', async () => {
    await stockPool(service, tenantB, 1, { from: 600 });
    const { session } = await service.reserve(tenantB, reserveRequest(), null);
    await expect(service.get(tenantA, session.id)).rejects.toMatchObject({
      code: 'masking_session_not_found',
    });
    await expect(service.map(tenantA, session.id, [realNumber(60)])).rejects.toMatchObject({
      code: 'masking_session_not_found',
    });
    await expect(service.release(tenantA, session.id)).rejects.toMatchObject({
      code: 'masking_session_not_found',
    });
    await expect(service.rotate(tenantA, session.id)).rejects.toMatchObject({
      code: 'masking_session_not_found',
    });
    expect(
      (await service.list(tenantA, { limit: 100, cursor: null, state: null })).data.map((s) => s.id),
    ).not.toContain(session.id);
    const bNumber = (
      await db.pool.query('SELECT id FROM virtual_numbers WHERE e164 = $1', [session.virtualNumber])
    ).rows[0];
    await expect(service.retire(tenantA, bNumber.id)).rejects.toMatchObject({
      code: 'virtual_number_not_found',
    });
    await expect(service.retire(tenantB, bNumber.id)).rejects.toMatchObject({
      code: 'virtual_number_in_use',
    });
    // A's pool never lends B a number, and the same number cannot be imported into A's pool.
    const report = await service.importNumbers(tenantA, 'sim', [
      { number: session.virtualNumber, country: 'GB' },
    ]);
    expect(report.errors).toEqual([
      { row: 1, field: 'number', code: 'virtual_number_exists', message: 'number is already in a pool.' },
    ]);
    await service.release(tenantB, session.id);
    expect((await service.retire(tenantB, bNumber.id)).state).toBe('retired');
  });

  it('records a low-watermark event once per dip and clears it on refill', async () => {
    const db2 = await createTestDatabase(inject('postgresUrl'));
    try {
      const { tenantId } = await seedTenant(db2.pool);
      const { service: s } = maskingService(db2.pool, db2.vault, { settings: { lowWatermark: 3 } });
      await stockPool(s, tenantId, 4);
      await s.reserve(tenantId, reserveRequest(), null); // 3 left: not below
      expect(
        (await s.events(tenantId, { limit: 10, cursor: null, type: 'pool.low_watermark' })).data,
      ).toEqual([]);
      await s.reserve(tenantId, reserveRequest(), null); // 2 left: event
      await s.reserve(tenantId, reserveRequest(), null); // 1 left: same dip, no second event
      let events = (await s.events(tenantId, { limit: 10, cursor: null, type: 'pool.low_watermark' })).data;
      expect(events.map((e) => e.payload)).toEqual([
        { country: 'GB', carrier: 'sim', available: 2, threshold: 3 },
      ]);
      await stockPool(s, tenantId, 5, { from: 50 }); // refill: alarm cleared
      await stockPool(s, tenantId, 0);
      for (let i = 0; i < 4; i++) await s.reserve(tenantId, reserveRequest(), null); // 6 -> 2
      events = (await s.events(tenantId, { limit: 10, cursor: null, type: 'pool.low_watermark' })).data;
      expect(events).toHaveLength(2);
    } finally {
      await db2.drop();
    }
  });

  it('allocates correctly under contention across two pools: 200 reserves, 100 numbers', async () => {
    const db3 = await createTestDatabase(inject('postgresUrl'));
    const pools = [
      createPgPool({ connectionString: db3.url, max: 10 }),
      createPgPool({ connectionString: db3.url, max: 10 }),
    ];
    try {
      const { tenantId } = await seedTenant(db3.pool);
      const services = pools.map((p) => maskingService(p, db3.vault).service);
      await stockPool(services[0]!, tenantId, 100);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 200 }, (_, i) =>
          services[i % 2]!.reserve(
            tenantId,
            reserveRequest({ participants: [realNumber(i), realNumber(1000 + i)] }),
            null,
          ),
        ),
      );
      const ok = outcomes.filter((o) => o.status === 'fulfilled');
      const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(ok).toHaveLength(100);
      expect(failed.map((f) => (f.reason as { code?: string }).code)).toEqual(
        Array(100).fill('pool_exhausted'),
      );
      const numbers = ok.map(
        (o) =>
          (o as PromiseFulfilledResult<{ session: { virtualNumber: string } }>).value.session.virtualNumber,
      );
      expect(new Set(numbers).size).toBe(100);
      const live = await db3.pool.query(
        `SELECT virtual_number_id, count(*)::int AS n FROM masking_sessions WHERE state = 'active'
         GROUP BY 1 HAVING count(*) > 1`,
      );
      expect(live.rows).toEqual([]);
      const counts = await db3.pool.query(`SELECT state, count(*)::int AS n FROM virtual_numbers GROUP BY 1`);
      expect(counts.rows).toEqual([{ state: 'reserved', n: 100 }]);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
      await db3.drop();
    }
  });
});
