import { SANDBOX_NUMBERS } from '@maskline/core';
import { type SmscSimulator, startSmscSimulator } from '@maskline/smsc-sim';
import { StackFixture } from '@maskline/testing/stack';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

interface Answer {
  [key: string]: unknown;
  id?: string;
  status?: string;
  carrier?: string;
  sandbox?: boolean;
  data?: Answer[];
  error?: { code: string };
}

const ORDINARY = '+447400123456';
const LIVE_TO = '+447400654321';
const FINAL = ['delivered', 'undeliverable', 'expired', 'rejected', 'failed'];

/**
 * The sandbox through the real processes: a live carrier (`live`, the default route) and
 * the sandbox carrier (`sim`, marked `"sandbox": true`) each on a simulator of its own, so
 * the test sees which carrier each message reached. An ml_test_ key's messages go only to
 * the sandbox carrier, its magic numbers end in their statuses, and its traffic is listed
 * apart from live traffic.
 */
describe('sandbox (ml_test_ keys) end to end', () => {
  let stack: StackFixture;
  let live: SmscSimulator;
  let testKey = '';

  beforeAll(async () => {
    live = await startSmscSimulator({ host: '127.0.0.1', smppPort: 0, controlPort: null });
    stack = new StackFixture({
      redisUrl: inject('redisUrl'),
      postgresUrl: inject('postgresUrl'),
      tracing: false,
      extraCarriers: [
        {
          id: 'live',
          plugin: 'smpp',
          secrets: { password: { env: 'SIM_SMPP_PASSWORD' } },
          config: { host: '127.0.0.1', port: live.smppPort, systemId: 'maskline' },
        },
      ],
      ingestEnv: { DEFAULT_CARRIER: 'live', RATE_LIMIT_DESTINATION_PER_MINUTE: '0' },
    });
    await stack.start();
    const created = await api('POST', '/v1/api-keys', {
      name: 'sandbox',
      scopes: ['messages:send', 'messages:read', 'masking:manage', 'reveal:request', 'webhooks:manage'],
      environment: 'test',
    });
    expect(created.status).toBe(201);
    testKey = String(created.body.key);
    expect(testKey).toMatch(/^ml_test_/);
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await live?.close();
  });

  const api = async (
    method: string,
    path: string,
    body?: unknown,
    key?: string,
    headers?: Record<string, string>,
  ) =>
    (await stack.api(method, path, body, key ?? stack.apiKey, headers)) as { status: number; body: Answer };

  async function finalStatus(id: string, key: string): Promise<Answer> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { body } = await api('GET', `/v1/messages/${id}`, undefined, key);
      if (FINAL.includes(String(body.status)) || Date.now() > deadline) return body;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const sandboxIds: string[] = [];
  let liveId = '';

  it('sends a test key’s messages to the sandbox carrier, each magic number ending in its status', async () => {
    const targets = [...Object.keys(SANDBOX_NUMBERS), ORDINARY];
    for (const to of targets) {
      const sent = await api(
        'POST',
        '/v1/messages',
        { to, from: 'Maskline', body: 'sandbox hello' },
        testKey,
      );
      expect(sent.status).toBe(202);
      expect(sent.body).toMatchObject({ carrier: 'sim', sandbox: true, route: null });
      sandboxIds.push(String(sent.body.id));
    }
    const liveSent = await api('POST', '/v1/messages', { to: LIVE_TO, from: 'Maskline', body: 'live hello' });
    expect(liveSent.status).toBe(202);
    expect(liveSent.body).toMatchObject({ carrier: 'live', sandbox: false });
    liveId = String(liveSent.body.id);

    const statuses = [];
    for (const id of sandboxIds) statuses.push((await finalStatus(id, testKey)).status);
    expect(statuses).toEqual([
      ...Object.values(SANDBOX_NUMBERS).map((n) => n.status),
      'delivered', // any other number is delivered
    ]);
    expect((await finalStatus(liveId, stack.apiKey)).status).toBe('delivered');

    // Where each message went: the sandbox simulator got all test traffic, the live one none.
    const destinations = (sim: SmscSimulator) => sim.messages().map((m) => `+${m.destination}`);
    expect(destinations(stack.sim).sort()).toEqual(targets.sort());
    expect(destinations(live)).toEqual([LIVE_TO]);
  }, 60_000);

  it('lists live and sandbox traffic apart, and finds a message only with a key of its environment', async () => {
    const sandboxList = await api('GET', '/v1/messages?limit=100', undefined, testKey);
    expect(sandboxList.status).toBe(200);
    expect(sandboxList.body.data?.map((m) => m.id).sort()).toEqual([...sandboxIds].sort());
    expect(sandboxList.body.data?.every((m) => m.sandbox === true)).toBe(true);

    const liveList = await api('GET', '/v1/messages?limit=100');
    expect(liveList.body.data?.map((m) => m.id)).toEqual([liveId]);

    expect((await api('GET', `/v1/messages/${sandboxIds[0]}`)).body.error?.code).toBe('message_not_found');
    expect((await api('GET', `/v1/messages/${liveId}`, undefined, testKey)).body.error?.code).toBe(
      'message_not_found',
    );
  });

  it('refuses a test key what holds or shows real numbers, or shapes live traffic', async () => {
    const refused = [
      await api('POST', '/v1/masking/sessions', { participants: [ORDINARY] }, testKey),
      await api('GET', '/v1/masking/sessions', undefined, testKey),
      await api('POST', `/v1/messages/${sandboxIds[0]}/reveal`, { reason: 'support' }, testKey),
      await api('GET', '/v1/webhooks', undefined, testKey),
      await api('POST', '/v1/verifications', { to: ORDINARY, brand: 'Acme', virtualNumber: true }, testKey),
    ];
    for (const answer of refused) {
      expect(answer.status).toBe(403);
      expect(answer.body.error?.code).toBe('sandbox_unsupported');
    }
  });

  it('sends a test key’s verification code to the sandbox carrier', async () => {
    const to = '+447400111222';
    const started = await api('POST', '/v1/verifications', { to, brand: 'Acme' }, testKey);
    expect(started.status).toBe(201);
    const deadline = Date.now() + 15_000;
    while (!stack.sim.messages().some((m) => m.destination === to.slice(1)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(stack.sim.messages().some((m) => m.destination === to.slice(1))).toBe(true);
    expect(live.messages().some((m) => m.destination === to.slice(1))).toBe(false);
  }, 30_000);

  it('treats one Idempotency-Key used by a live and a test key as a conflict, not a replay', async () => {
    const request = { to: ORDINARY, from: 'Maskline', body: 'once' };
    const headers = { 'idempotency-key': 'sandbox-idem-1' };
    const first = await api('POST', '/v1/messages', request, stack.apiKey, headers);
    expect(first.status).toBe(202);
    const second = await api('POST', '/v1/messages', request, testKey, headers);
    expect(second.status).toBe(409);
    expect(second.body.error?.code).toBe('idempotency_conflict');
  });
});
