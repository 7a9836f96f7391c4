import { seedTenant, TestReceiver, until } from '@maskline/testing';
import type { StackFixture } from '@maskline/testing/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pythonVerify } from './support/python-verify.js';
import { HANDOFF_ONLY, webhookStack } from './support/webhook-stack.js';

interface StatusWebhook {
  type: string;
  sequence: number;
  data: { messageId: string; status: string; errorCode: string | null; carrierCode: string | null };
}

/**
 * message.status through the real processes: the worker's submitted statement and the
 * receipt processor's receipt batch write the events, and hand their deliveries to the
 * webhooks queue after commit (the sweep runs once a minute here, so arrival within seconds
 * shows the handoff, not the sweep, sent them).
 */
describe('message.status webhooks end to end', () => {
  const receiver = new TestReceiver();
  let stack: StackFixture;

  beforeAll(async () => {
    await receiver.start();
    stack = webhookStack([receiver], HANDOFF_ONLY);
    await stack.start();
    stack.sim.setRules([{ destinationSuffix: '0999', stat: 'REJECTD' }]);
  });
  afterAll(async () => {
    await stack?.stop();
    await receiver.stop();
  });

  const api = (path: string, body: unknown, key = stack.apiKey) => stack.api('POST', path, body, key);
  const statusOf = async (id: string, key: string) =>
    String((await stack.api('GET', `/v1/messages/${id}`, undefined, key)).body.status);

  it('sends submitted then delivered, and rejected, signed, ids and codes only', async () => {
    const created = await api('/v1/webhooks', { url: receiver.url, eventTypes: ['message.status'] });
    expect(created.status).toBe(201);
    const secret = String(created.body.secret);

    const to = '+447911230001';
    const text = 'status webhook secret text 4711';
    const sent = await api('/v1/messages', { to, from: 'Maskline', body: text });
    expect(sent.status).toBe(202);
    const rejectedTo = '+447911230999';
    const refused = await api('/v1/messages', { to: rejectedTo, from: 'Maskline', body: text });
    expect(refused.status).toBe(202);

    const hits = await receiver.waitFor(4, 20_000);
    for (const hit of hits) {
      expect(pythonVerify(String(hit.headers['maskline-signature']), hit.rawBody, secret)).toBe('ok');
      for (const raw of [to, rejectedTo, to.slice(1), rejectedTo.slice(1), text]) {
        expect(hit.rawBody).not.toContain(raw);
      }
    }
    const events = hits.map((h) => JSON.parse(h.rawBody) as StatusWebhook);
    const of = (id: unknown) =>
      events.filter((e) => e.data.messageId === id).sort((a, b) => a.sequence - b.sequence);
    expect(of(sent.body.id).map((e) => [e.type, e.data.status, e.data.carrierCode])).toEqual([
      ['message.status', 'submitted', null],
      ['message.status', 'delivered', 'DELIVRD'],
    ]);
    expect(of(refused.body.id).map((e) => [e.data.status, e.data.errorCode, e.data.carrierCode])).toEqual([
      ['submitted', null, null],
      ['rejected', 'carrier_rejected', 'REJECTD'],
    ]);
  });

  it('writes no webhook rows for a tenant without an endpoint', async () => {
    const { apiKey, tenantId } = await seedTenant(stack.db.pool, 'no endpoint');
    const sent = await api('/v1/messages', { to: '+447911230002', from: 'Maskline', body: 'quiet' }, apiKey);
    expect(sent.status).toBe(202);
    const status = await until(
      () => statusOf(String(sent.body.id), apiKey),
      (s) => s === 'delivered',
      20_000,
    );
    expect(status).toBe('delivered');
    const counts = await stack.db.pool.query(
      `SELECT (SELECT count(*) FROM webhook_events WHERE tenant_id = $1)::int AS events,
              (SELECT count(*) FROM webhook_deliveries WHERE tenant_id = $1)::int AS deliveries`,
      [tenantId],
    );
    expect(counts.rows[0]).toEqual({ events: 0, deliveries: 0 });
  });
});
