import { type ReceivedWebhook, seedTenant, TestReceiver, until } from '@maskline/testing';
import type { StackFixture } from '@maskline/testing/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pythonVerify } from './support/python-verify.js';
import { HANDOFF_ONLY, webhookStack } from './support/webhook-stack.js';

interface StatusWebhook {
  id: string;
  type: string;
  sequence: number;
  data: { messageId: string; status: string };
}

/**
 * A message's statusCallback through the real processes: the ingest resolves it to an
 * endpoint, the worker's and the receipt processor's status statements address its
 * message.status events to the callback URL, signed with that endpoint's secrets.
 */
describe('statusCallback end to end', () => {
  const receiver = new TestReceiver();
  let stack: StackFixture;
  let base = '';

  beforeAll(async () => {
    await receiver.start();
    base = `http://127.0.0.1:${receiver.port}`;
    stack = webhookStack([receiver], HANDOFF_ONLY);
    await stack.start();
  });
  afterAll(async () => {
    await stack?.stop();
    await receiver.stop();
  });

  const post = (path: string, body: unknown, key = stack.apiKey) => stack.api('POST', path, body, key);
  const endpoint = async (path: string, eventTypes: string[], key = stack.apiKey) => {
    const created = await post('/v1/webhooks', { url: `${base}${path}`, eventTypes }, key);
    expect(created.status).toBe(201);
    return String(created.body.secret);
  };
  const send = (statusCallback: string | undefined, key = stack.apiKey) =>
    post(
      '/v1/messages',
      { to: '+447911230001', from: 'Maskline', body: 'callback test', statusCallback },
      key,
    );
  const statusesAt = (hits: ReceivedWebhook[], path: string, messageId: unknown) =>
    hits
      .filter((h) => h.path === path)
      .map((h) => JSON.parse(h.rawBody) as StatusWebhook)
      .filter((e) => e.data.messageId === messageId)
      .sort((a, b) => a.sequence - b.sequence);

  it('sends a message status to its callback URL, signed with its endpoint secrets', async () => {
    // /hooks subscribes to message.status; /cb subscribes to something else.
    const hooksSecret = await endpoint('/hooks', ['message.status']);
    const cbSecret = await endpoint('/cb', ['session.*']);
    const other = await seedTenant(stack.db.pool, 'callback without subscriber');
    const otherSecret = await endpoint('/other', ['pool.low_watermark'], other.apiKey);

    const cbPath = '/cb/m1?token=cbpath-credential-4711';
    const viaCb = await send(`${base}${cbPath}`);
    const ownPath = '/hooks/m2';
    const viaHooks = await send(`${base}${ownPath}`);
    const plain = await send(undefined);
    const otherPath = '/other/m4';
    const viaOther = await send(`${base}${otherPath}`, other.apiKey);
    for (const r of [viaCb, viaHooks, plain, viaOther]) expect(r.status).toBe(202);

    const expected = (hits: ReceivedWebhook[]) =>
      [
        statusesAt(hits, cbPath, viaCb.body.id),
        statusesAt(hits, '/hooks', viaCb.body.id),
        statusesAt(hits, ownPath, viaHooks.body.id),
        statusesAt(hits, '/hooks', plain.body.id),
        statusesAt(hits, otherPath, viaOther.body.id),
      ].every((events) => events.length === 2);
    const hits = await until(async () => [...receiver.received], expected, 30_000);

    const secretOf: Record<string, string> = { cb: cbSecret, hooks: hooksSecret, other: otherSecret };
    for (const hit of hits) {
      const secret = secretOf[hit.path.split(/[/?]/)[1]!]!;
      expect(pythonVerify(String(hit.headers['maskline-signature']), hit.rawBody, secret)).toBe('ok');
    }
    const statuses = (events: StatusWebhook[]) => events.map((e) => [e.type, e.data.status]);
    const submittedDelivered = [
      ['message.status', 'submitted'],
      ['message.status', 'delivered'],
    ];
    // The callback endpoint's copy and a subscriber's copy are the same events (same ids).
    const atCb = statusesAt(hits, cbPath, viaCb.body.id);
    expect(statuses(atCb)).toEqual(submittedDelivered);
    expect(statusesAt(hits, '/hooks', viaCb.body.id).map((e) => e.id)).toEqual(atCb.map((e) => e.id));
    // An endpoint that subscribes and is the callback's gets each event once, at the callback.
    expect(statuses(statusesAt(hits, ownPath, viaHooks.body.id))).toEqual(submittedDelivered);
    expect(statusesAt(hits, '/hooks', viaHooks.body.id)).toEqual([]);
    const deliveries = await stack.db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM webhook_deliveries d JOIN webhook_events v ON v.id = d.event_id
       WHERE v.subject_id = $1`,
      [viaHooks.body.id],
    );
    expect(deliveries.rows[0]!.n).toBe(2);
    // A message without a callback never goes to a callback path; a tenant without a
    // message.status subscriber gets its callbacks all the same.
    expect(hits.filter((h) => h.path.startsWith('/cb') && !h.path.startsWith(cbPath))).toEqual([]);
    expect(statuses(statusesAt(hits, otherPath, viaOther.body.id))).toEqual(submittedDelivered);

    // The callback URL (its path may carry a credential) is in no app's log line.
    const lines = stack.logLines();
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((l) => l.includes('cbpath-credential-4711') || l.includes('/hooks/m2'))).toEqual([]);
  });

  it('answers 400 for an unregistered origin, a bad URL and another tenant endpoint', async () => {
    const codeOf = async (statusCallback: unknown, key = stack.apiKey) => {
      const r = await post(
        '/v1/messages',
        { to: '+447911230003', from: 'Maskline', body: 'refused', statusCallback },
        key,
      );
      expect(r.status).toBe(400);
      expect(JSON.stringify(r.body)).not.toContain('cred-9');
      return (r.body.error as { code: string }).code;
    };
    expect(await codeOf(`http://localhost:${receiver.port}/hooks/cred-9`)).toBe(
      'status_callback_not_registered',
    );
    expect(await codeOf(`http://unregistered.example.com:${receiver.port}/cred-9`)).toBe(
      'status_callback_not_registered',
    );
    expect(await codeOf(`${base}/nowhere/cred-9`)).toBe('status_callback_not_registered');
    expect(await codeOf('ftp://127.0.0.1/cred-9')).toBe('invalid_webhook_url');
    expect(await codeOf(`http://user:cred-9@127.0.0.1:${receiver.port}/hooks`)).toBe('invalid_webhook_url');
    expect(await codeOf('not a url cred-9')).toBe('invalid_webhook_url');
    expect(await codeOf(42)).toBe('invalid_webhook_url');
    const stranger = await seedTenant(stack.db.pool, 'no endpoints');
    expect(await codeOf(`${base}/hooks/cred-9`, stranger.apiKey)).toBe('status_callback_not_registered');
    const count = await stack.db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM messages WHERE tenant_id = ANY($1::uuid[])
         AND status_callback_url LIKE '%cred-9%'`,
      [[stack.tenantId, stranger.tenantId]],
    );
    expect(count.rows[0]!.n).toBe(0);
  });
});
