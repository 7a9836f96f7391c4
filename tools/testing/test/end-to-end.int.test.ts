import { MessageRepository } from '@maskline/storage';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { inParallel, StackFixture } from '../src/stack-fixture.js';

/**
 * The first message end to end, through real processes: HTTP → Postgres → BullMQ →
 * delivery worker → SMPP → smsc-sim → receipt → receipt processor → status.
 */
describe('end to end through the real apps', () => {
  const stack = new StackFixture({ redisUrl: inject('redisUrl'), postgresUrl: inject('postgresUrl') });
  const numbers = Array.from({ length: 200 }, (_, i) => `+4479111${String(100000 + i).slice(1)}`);
  /** A distinctive one-time code per message, scanned for on its own too. */
  const otpOf = (i: number) => `73${String(i).padStart(4, '0')}91`;
  const bodyOf = (i: number) => `Secret body ${i} zq${i}x, your code is ${otpOf(i)}`;
  let ids: string[] = [];

  beforeAll(async () => {
    await stack.start();
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('delivers 200 messages with the carrier ids the SMSC gave', async () => {
    const responses = await inParallel(numbers, 20, (to, i) =>
      stack.send({ to, from: 'Maskline', body: bodyOf(i) }),
    );
    expect(responses.map((r) => r.status)).toEqual(numbers.map(() => 202));
    ids = responses.map((r) => String(r.body.id));
    expect(new Set(ids).size).toBe(200);

    const statuses = await stack.waitForStatus(ids, ['delivered']);
    expect([...statuses.values()].filter((s) => s === 'delivered')).toHaveLength(200);

    // The stored numbers open (through the vault) to what the SMSC received.
    const records = await new MessageRepository(stack.db.pool, stack.db.vault).loadManyForDelivery(ids);
    // SMPP carries the number without '+' (TON international says so).
    // The plugin stores carrier ids canonical (lower case, no leading zeros).
    const canonical = (id: string) => id.toLowerCase().replace(/^0+(?=.)/, '');
    const simIds = new Map(stack.sim.messages().map((m) => [canonical(m.messageId), `+${m.destination}`]));
    expect(records.filter((r) => r?.content)).toHaveLength(200);
    for (const record of records) {
      expect(simIds.get(record!.message.carrierMessageId!)).toBe(record!.content!.to);
    }
  });

  it('sends a long message in UDH parts and derives its status from every part’s receipt', async () => {
    const body = `Long ${'【京东】您的验证码5026,该验证码5分钟内有效。'.repeat(6)} end`;
    const [response] = await inParallel(['+447911000777'], 1, (to) =>
      stack.send({ to, from: 'Maskline', body }),
    );
    const id = String(response!.body.id);
    expect(response!.body.segments).toBeGreaterThan(1);
    const statuses = await stack.waitForStatus([id], ['delivered']);
    expect(statuses.get(id)).toBe('delivered');
    const parts = await stack.db.pool.query<{ status: string }>(
      'SELECT status FROM message_parts WHERE message_id = $1 ORDER BY part_index',
      [id],
    );
    expect(parts.rows.length).toBe(response!.body.segments);
    const assembled = stack.sim
      .messages(undefined, { assemble: true })
      .find((m) => m.destination === '447911000777');
    expect(assembled).toMatchObject({ complete: true, text: body, total: parts.rows.length });
  });

  it('runs the apps as the maskline_app role, which cannot change the audit log', async () => {
    const sessions = await stack.db.pool.query<{ usename: string; application_name: string }>(
      `SELECT DISTINCT usename, application_name FROM pg_stat_activity
       WHERE datname = current_database() AND application_name LIKE 'maskline-%'`,
    );
    expect(sessions.rows.length).toBeGreaterThanOrEqual(3);
    for (const row of sessions.rows) expect(row.usename).toBe('maskline_apps');
    const client = new pg.Client({ connectionString: stack.db.appUrl });
    await client.connect();
    try {
      await expect(client.query('DELETE FROM audit_log')).rejects.toThrow(/permission denied/);
    } finally {
      await client.end();
    }
  });

  it('keeps no number or body in clear at rest: every stored column is sealed or masked', async () => {
    const dump = await stack.db.pool.query<{ row: string }>(
      `SELECT row_to_json(m)::text AS row FROM messages m
       UNION ALL SELECT row_to_json(i)::text FROM inbound_messages i`,
    );
    expect(dump.rows.length).toBeGreaterThanOrEqual(200);
    const text = dump.rows.map((r) => r.row).join('\n');
    // bytea renders as hex in JSON: search for the values' hex too.
    for (const [i, number] of numbers.entries()) {
      for (const raw of [number.slice(1), bodyOf(i), otpOf(i)]) {
        expect(text).not.toContain(raw);
        expect(text).not.toContain(Buffer.from(raw).toString('hex'));
      }
    }
  });

  it('shows a message through the API with masked numbers', async () => {
    const response = await fetch(`${stack.ingestUrl}/v1/messages/${ids[0]}`, {
      headers: { authorization: `Bearer ${stack.apiKey}` },
    });
    expect(response.status).toBe(200);
    const view = (await response.json()) as Record<string, unknown>;
    expect(view.status).toBe('delivered');
    expect(view.to).toMatch(/^\+\d+\*{4,}\d+$/);
    expect(JSON.stringify(view)).not.toContain(numbers[0]!.slice(1));
    expect(JSON.stringify(view)).not.toContain(bodyOf(0));
  });

  it('follows one message in one trace: request, queue, SMPP submit, receipt', async () => {
    const id = ids[0]!;
    const deadline = Date.now() + 15_000;
    let names: string[] = [];
    while (Date.now() < deadline) {
      const mine = stack.collector.spans.filter((s) => s.attributes['maskline.message.id'] === id);
      const traceIds = new Set(mine.map((s) => s.traceId));
      const trace = [...traceIds][0];
      names = stack.collector.spans.filter((s) => s.traceId === trace).map((s) => `${s.service}:${s.name}`);
      if (traceIds.size === 1 && names.some((n) => n.includes('maskline.receipt'))) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(names.some((n) => n.startsWith('maskline-ingest:'))).toBe(true);
    expect(names).toContain('maskline-delivery-worker:maskline.deliver');
    expect(names.some((n) => n.startsWith('maskline-delivery-worker:smpp'))).toBe(true);
    expect(names).toContain('maskline-receipt-processor:maskline.receipt');
  });

  it('names the recipient in deliver spans by a pn_ token: one per number, never the number', () => {
    const tokenOf = (id: string) =>
      stack.collector.spans.find(
        (s) => s.name === 'maskline.deliver' && s.attributes['maskline.message.id'] === id,
      )?.attributes['maskline.recipient.token'];
    const tokens = ids.slice(0, 20).map(tokenOf);
    for (const token of tokens) expect(token).toMatch(/^pn_[a-z2-7]{24}$/);
    expect(new Set(tokens).size).toBe(20);
  });

  it('never writes a phone number or body into logs or spans', () => {
    const logs = stack.logLines().join('\n');
    // Timestamps (nanoseconds) and trace/span ids are digits and hex: an 8-digit code can
    // occur in them by chance, so they are blanked before the scan (nothing else is).
    const spans = stack.collector.rawBodies
      .join('\n')
      .replace(/"(\w*TimeUnixNano|traceId|spanId|parentSpanId)":("[0-9a-f]*"|\d+)/gi, '"$1":""');
    expect(logs.length).toBeGreaterThan(0);
    for (const [i, number] of numbers.entries()) {
      for (const haystack of [logs, spans]) {
        expect(haystack).not.toContain(number.slice(1));
        expect(haystack).not.toContain(bodyOf(i));
        const at = haystack.indexOf(otpOf(i));
        expect(at === -1 ? '' : haystack.slice(Math.max(0, at - 80), at + 20)).toBe('');
      }
    }
  });

  it('never puts a phone number or body into Redis (keys or values)', async () => {
    const redis = new Redis(inject('redisUrl'));
    try {
      const dump: string[] = [];
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
        cursor = next;
        for (const key of keys) {
          dump.push(key);
          const type = await redis.type(key);
          if (type === 'string') dump.push((await redis.get(key)) ?? '');
          else if (type === 'hash') dump.push(JSON.stringify(await redis.hgetall(key)));
          else if (type === 'list') dump.push(JSON.stringify(await redis.lrange(key, 0, -1)));
          else if (type === 'zset') dump.push(JSON.stringify(await redis.zrange(key, 0, -1)));
          else if (type === 'set') dump.push(JSON.stringify(await redis.smembers(key)));
          else if (type === 'stream') dump.push(JSON.stringify(await redis.xrange(key, '-', '+')));
        }
      } while (cursor !== '0');
      const text = dump.join('\n');
      expect(text).toContain(ids[0]!); // the scan did see the jobs
      for (const [i, number] of numbers.entries()) {
        expect(text).not.toContain(number.slice(1));
        expect(text).not.toContain(bodyOf(i));
        expect(text).not.toContain(otpOf(i));
      }
    } finally {
      redis.disconnect();
    }
  });

  it('answers bad input with stable error codes', async () => {
    const bad = await stack.send({ to: '12345', from: 'Maskline', body: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'invalid_phone_number' } });

    const unauthorized = await fetch(`${stack.ingestUrl}/v1/messages`, { method: 'POST' });
    expect(unauthorized.status).toBe(401);
    expect(await unauthorized.json()).toMatchObject({ error: { code: 'unauthorized' } });

    const notJson = await fetch(`${stack.ingestUrl}/v1/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
      body: '{"to":',
    });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: { code: 'invalid_request' } });
  });

  it('honours Idempotency-Key: a retry returns the same message, other content conflicts', async () => {
    const message = { to: '+447911123456', from: 'Maskline', body: 'idempotent' };
    const first = await stack.send(message, { 'idempotency-key': 'order-42' });
    const again = await stack.send(message, { 'idempotency-key': 'order-42' });
    expect(first.status).toBe(202);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const conflict = await stack.send({ ...message, body: 'different' }, { 'idempotency-key': 'order-42' });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ error: { code: 'idempotency_conflict' } });
  });
});
