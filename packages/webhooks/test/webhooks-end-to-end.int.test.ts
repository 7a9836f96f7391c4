import { seedTenant, TestReceiver } from '@maskline/testing';
import type { StackFixture } from '@maskline/testing/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pythonVerify } from './support/python-verify.js';
import { webhookStack } from './support/webhook-stack.js';

const virtual = (i: number) => `+4479112${String(100000 + i).slice(1)}`;
const real = (i: number) => `+4479123${String(100000 + i).slice(1)}`;

/** The JSON answers this test reads. */
interface Answer {
  [key: string]: unknown;
  id?: string;
  secret?: string;
  state?: string;
  virtualNumber?: string;
  error?: { code: string };
  data?: Record<string, unknown>[];
}

/**
 * Webhooks through the real processes: endpoints created over the ingest API, masking events
 * made by real API calls and a real MO, delivered by the receipt processor's dispatcher to
 * real HTTP receivers, signatures verified by the independent Python verifier.
 */
describe('webhooks end to end through the real apps', () => {
  const flaky = new TestReceiver([500]);
  const gone = new TestReceiver([], 410);
  const owner = new TestReceiver();
  let stack: StackFixture;
  let keyB = '';

  beforeAll(async () => {
    await flaky.start();
    await gone.start();
    await owner.start();
    stack = webhookStack([flaky, gone, owner], {
      WEBHOOK_RETRY_BASE_MS: '300',
      WEBHOOK_SWEEP_MS: '200',
      WEBHOOK_LEASE_MS: '3000',
    });
    await stack.start();
    ({ apiKey: keyB } = await seedTenant(stack.db.pool, 'tenant b'));
  });
  afterAll(async () => {
    await stack?.stop();
    await flaky.stop();
    await gone.stop();
    await owner.stop();
  });

  const api = async (method: string, path: string, body?: unknown, key = stack.apiKey) =>
    (await stack.api(method, path, body, key)) as { status: number; body: Answer };

  it('delivers signed masking events, retries a failing receiver, disables on 410, redelivers', async () => {
    const refused = await api('POST', '/v1/webhooks', { url: 'http://127.0.0.1:6379/', eventTypes: ['*'] });
    expect(refused).toMatchObject({ status: 400, body: { error: { code: 'invalid_webhook_url' } } });
    const badType = await api('POST', '/v1/webhooks', { url: flaky.url, eventTypes: ['sms.*'] });
    expect(badType.body.error?.code).toBe('invalid_webhook_event_type');

    const created = await api('POST', '/v1/webhooks', {
      url: flaky.url,
      eventTypes: ['session.*', 'inbound.*'],
    });
    expect(created.status).toBe(201);
    const { id, secret } = created.body as { id: string; secret: string };
    expect(secret).toMatch(/^whsec_/);
    const shown = await api('GET', `/v1/webhooks/${id}`);
    expect(shown.body).toMatchObject({
      id,
      url: flaky.url,
      state: 'enabled',
      eventTypes: ['session.*', 'inbound.*'],
    });
    expect(JSON.stringify(shown.body)).not.toContain(secret);
    const listed = await api('GET', '/v1/webhooks');
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect(listed.body.data?.map((e) => e.id)).toEqual([id]);

    // Tenant isolation: tenant B neither sees nor changes tenant A's endpoint.
    expect((await api('GET', `/v1/webhooks/${id}`, undefined, keyB)).body.error?.code).toBe(
      'webhook_not_found',
    );
    expect((await api('GET', '/v1/webhooks', undefined, keyB)).body.data).toEqual([]);
    expect((await api('PATCH', `/v1/webhooks/${id}`, { enabled: false }, keyB)).status).toBe(404);
    expect((await api('DELETE', `/v1/webhooks/${id}`, undefined, keyB)).status).toBe(404);

    const goneEndpoint = await api('POST', '/v1/webhooks', {
      url: gone.url,
      eventTypes: ['session.rotated'],
    });

    // A session rotation (session.rotated) and a stranger's MO (inbound.dropped).
    await api('POST', '/v1/masking/numbers/import', {
      carrier: 'sim',
      numbers: [1, 2, 3].map((i) => ({ number: virtual(i), country: 'GB' })),
    });
    await api('POST', '/v1/masking/numbers/import', {
      carrier: 'sim',
      numbers: [4, 5].map((i) => ({ number: virtual(i), country: 'GB' })),
    });
    const session = await api('POST', '/v1/masking/sessions', {
      mode: 'pair',
      participants: [real(1), real(2)],
    });
    expect(session.status).toBe(201);
    const rotated = await api('POST', `/v1/masking/sessions/${session.body.id}/rotate`);
    expect(rotated.status).toBe(200);
    await stack.sim.injectMo({ from: real(9), to: String(rotated.body.virtualNumber), text: 'who is this' });

    // The flaky receiver fails the first request; the retry succeeds.
    const hits = await flaky.waitFor(3, 30_000);
    const bodies = hits.map((h) => JSON.parse(h.rawBody));
    const types = [...new Set(bodies.map((b) => b.type))].sort();
    expect(types).toEqual(['inbound.dropped', 'session.rotated']);
    expect(hits[0]?.status).toBe(500);
    expect(hits.filter((h) => h.rawBody === hits[0]?.rawBody).length).toBeGreaterThanOrEqual(2);
    for (const hit of hits) {
      expect(pythonVerify(String(hit.headers['maskline-signature']), hit.rawBody, secret)).toBe('ok');
      for (const raw of [real(1), real(2), real(9)]) expect(hit.rawBody).not.toContain(raw.slice(1));
    }

    const attempts = await api('GET', `/v1/webhooks/${id}/attempts`);
    const log = attempts.body.data as unknown as {
      statusCode: number;
      errorClass: string | null;
      eventId: string;
    }[];
    expect(log.map((a) => a.statusCode)).toContain(500);
    expect(log.filter((a) => a.statusCode === 200).length).toBe(2);
    expect(log.find((a) => a.statusCode === 500)?.errorClass).toBe('http_500');

    // The 410 endpoint is disabled after its first answer.
    await gone.waitFor(1);
    const until = Date.now() + 10_000;
    let goneState: Answer = {};
    while (Date.now() < until) {
      goneState = (await api('GET', `/v1/webhooks/${goneEndpoint.body.id}`)).body;
      if (goneState.state === 'disabled') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(goneState).toMatchObject({ state: 'disabled', disabledReason: 'gone' });

    // Redeliver one event: the same envelope (same id) arrives again.
    const eventId = log[0]?.eventId;
    const redelivered = await api('POST', `/v1/webhooks/${id}/events/${eventId}/redeliver`);
    expect(redelivered.status).toBe(202);
    const again = await flaky.waitFor(hits.length + 1);
    expect(JSON.parse(again.at(-1)?.rawBody ?? '{}').id).toBe(eventId);
    const missing = await api('POST', `/v1/webhooks/${id}/events/${goneEndpoint.body.id}/redeliver`);
    expect(missing.body.error?.code).toBe('webhook_event_not_found');

    // Rotation answers the new secret once; disabling and deleting work.
    const rotation = await api('POST', `/v1/webhooks/${id}/rotate-secret`, {
      previousSecretValidSeconds: 60,
    });
    expect(rotation.body.secret).toMatch(/^whsec_/);
    expect((await api('PATCH', `/v1/webhooks/${id}`, { enabled: false })).body).toMatchObject({
      state: 'disabled',
      disabledReason: 'api',
    });
    expect((await api('DELETE', `/v1/webhooks/${id}`)).status).toBe(204);
    expect((await api('GET', `/v1/webhooks/${id}`)).status).toBe(404);

    const logs = stack.logLines().join('\n');
    for (const s of [secret, rotation.body.secret]) expect(logs).not.toContain(s);
  });

  it('sends message.inbound for an MO to a number the tenant registered, the body only where asked', async () => {
    const own = '+447911200777';
    const registered = await api('POST', '/v1/numbers', {
      number: own,
      carrier: 'sim',
      label: 'support line',
    });
    expect(registered).toMatchObject({
      status: 201,
      body: { number: own, carrier: 'sim', label: 'support line' },
    });
    expect((await api('POST', '/v1/numbers', { number: own }, keyB)).body.error?.code).toBe(
      'number_already_registered',
    );
    expect((await api('POST', '/v1/numbers', { number: virtual(1) })).body.error?.code).toBe(
      'number_in_masking_pool',
    );
    expect((await api('POST', '/v1/numbers', { number: 'nope' })).body.error?.code).toBe(
      'invalid_phone_number',
    );
    expect((await api('GET', '/v1/numbers', undefined, keyB)).body.data).toEqual([]);
    expect((await api('DELETE', `/v1/numbers/${registered.body.id}`, undefined, keyB)).status).toBe(404);

    const withBody = await api('POST', '/v1/webhooks', {
      url: `${owner.url}/with`,
      eventTypes: ['message.inbound'],
      includeInboundBody: true,
    });
    const without = await api('POST', '/v1/webhooks', {
      url: `${owner.url}/without`,
      eventTypes: ['message.*'],
    });
    const otherTenant = await api('POST', '/v1/webhooks', { url: `${owner.url}/b`, eventTypes: ['*'] }, keyB);
    expect(otherTenant.status).toBe(201);

    const sender = real(7);
    expect(await stack.sim.injectMo({ from: sender, to: own, text: 'is my order shipped' })).toBe(0);
    const hits = await owner.waitFor(2, 30_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(owner.received.map((h) => h.path).sort()).toEqual(['/hooks/with', '/hooks/without']);
    const at = (path: string) => owner.received.find((h) => h.path === path)!;
    const withData = JSON.parse(at('/hooks/with').rawBody);
    expect(withData).toMatchObject({
      type: 'message.inbound',
      data: { to: own, numberId: registered.body.id, carrierId: 'sim', body: 'is my order shipped' },
    });
    expect(withData.data.from).toMatch(/^pn_/);
    expect(withData.data.fromMasked).not.toBe(sender);
    expect(JSON.parse(at('/hooks/without').rawBody).data).not.toHaveProperty('body');
    expect(
      pythonVerify(
        String(at('/hooks/with').headers['maskline-signature']),
        at('/hooks/with').rawBody,
        String(withBody.body.secret),
      ),
    ).toBe('ok');
    expect(
      pythonVerify(
        String(at('/hooks/without').headers['maskline-signature']),
        at('/hooks/without').rawBody,
        String(without.body.secret),
      ),
    ).toBe('ok');
    for (const hit of hits) expect(hit.rawBody).not.toContain(sender.slice(1));
    expect(stack.logLines().join('\n')).not.toContain(sender.slice(1));
    expect(stack.logLines().join('\n')).not.toContain('is my order shipped');

    expect((await api('DELETE', `/v1/numbers/${registered.body.id}`)).status).toBe(204);
    expect((await api('GET', '/v1/numbers')).body.data).toEqual([]);
  });

  it('loses no event when the receipt processor is killed mid-delivery (same event id sent again)', async () => {
    // The apps allow only the ports they started with: a holding receiver on the flaky one's.
    await flaky.stop();
    const replacement = new TestReceiver();
    replacement.holdMs = 60_000;
    await replacement.start(flaky.port);
    const created = await api('POST', '/v1/webhooks', { url: replacement.url, eventTypes: ['session.*'] });
    const { id, secret } = created.body as { id: string; secret: string };

    const session = await api('POST', '/v1/masking/sessions', {
      mode: 'pair',
      participants: [real(3), real(4)],
    });
    expect(session.status).toBe(201);
    expect((await api('POST', `/v1/masking/sessions/${session.body.id}/rotate`)).status).toBe(200);
    const [first] = await replacement.waitFor(1);
    await stack.stopApp('receipt-processor', true); // SIGKILL while the POST is in flight
    replacement.holdMs = 0;
    await stack.startApp('receipt-processor');

    const hits = await replacement.waitFor(2, 30_000);
    const eventId = JSON.parse(first?.rawBody ?? '{}').id;
    // At least once: the event arrives again after the kill, with the same id (the dedupe key).
    expect(new Set(hits.map((h) => JSON.parse(h.rawBody).id))).toEqual(new Set([eventId]));
    expect(pythonVerify(String(hits[1]?.headers['maskline-signature']), hits[1]?.rawBody ?? '', secret)).toBe(
      'ok',
    );
    const until = Date.now() + 10_000;
    let delivered = 0;
    while (Date.now() < until && delivered === 0) {
      const log = (await api('GET', `/v1/webhooks/${id}/attempts`)).body.data ?? [];
      delivered = log.filter((a) => a.statusCode === 200).length;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(delivered).toBeGreaterThanOrEqual(1);
    await replacement.stop();
  });
});
