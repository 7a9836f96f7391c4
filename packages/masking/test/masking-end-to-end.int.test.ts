import { StackFixture } from '@maskline/testing/stack';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const virtual = (i: number) => `+4479112${String(100000 + i).slice(1)}`;
const real = (i: number) => `+4479123${String(100000 + i).slice(1)}`;

/**
 * Number masking through the real processes: the pool and a pair session over HTTP, then
 * MO messages injected at the SMSC simulator relayed both ways by the receipt processor
 * and delivered by the delivery worker, from the virtual number.
 */
describe('number masking end to end through the real apps', () => {
  const stack = new StackFixture({ redisUrl: inject('redisUrl'), postgresUrl: inject('postgresUrl') });
  const [alice, bob, stranger] = [real(1), real(2), real(3)];

  beforeAll(async () => {
    await stack.start();
  });
  afterAll(async () => {
    await stack.stop();
  });

  const api = async (method: string, path: string, body: unknown = method === 'POST' ? {} : undefined) => {
    const response = await fetch(`${stack.ingestUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  /** Waits until the SMSC has received `count` complete messages to `to` (without '+'). */
  async function received(to: string, count: number, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    let found: { source: string; text: string; complete: boolean }[] = [];
    while (Date.now() < deadline) {
      found = stack.sim.messages(undefined, { assemble: true }).filter((m) => m.destination === to.slice(1));
      if (found.filter((m) => m.complete).length >= count) return found;
      await new Promise((r) => setTimeout(r, 200));
    }
    return found;
  }

  it('relays a pair conversation both ways from the virtual number, multipart text intact', async () => {
    const imported = await api('POST', '/v1/masking/numbers/import', {
      carrier: 'sim',
      numbers: [virtual(1), virtual(2)].map((number) => ({ number, country: 'GB' })),
    });
    expect(imported.body).toMatchObject({ imported: 2, errors: [] });
    const reserved = await api('POST', '/v1/masking/sessions', {
      mode: 'pair',
      ttlSeconds: 600,
      participants: [alice, bob],
    });
    expect(reserved.status).toBe(201);
    const x = String(reserved.body.virtualNumber);

    const long = `Hi Bob, ${'this is a long masked message that needs several parts. '.repeat(4)}Bye`;
    await stack.sim.injectMo({ from: alice, to: x, text: long, split: 'udh8' });
    const toBob = await received(bob, 1);
    expect(toBob.map((m) => [m.source, m.text, m.complete])).toEqual([[x.slice(1), long, true]]);

    await stack.sim.injectMo({ from: bob, to: x, text: 'Hi Alice' });
    const toAlice = await received(alice, 1);
    expect(toAlice.map((m) => [m.source, m.text])).toEqual([[x.slice(1), 'Hi Alice']]);

    // A stranger reaches nobody (policy drop); after release, late replies reach nobody either.
    await stack.sim.injectMo({ from: stranger, to: x, text: 'who is this' });
    const released = await api('POST', `/v1/masking/sessions/${String(reserved.body.id)}/release`);
    expect(released.body.state).toBe('released');
    await stack.sim.injectMo({ from: alice, to: x, text: 'too late' });
    const deadline = Date.now() + 20_000;
    let dropped = 0;
    while (Date.now() < deadline && dropped < 2) {
      const events = await api('GET', '/v1/masking/events?type=inbound.dropped');
      dropped = (events.body.data as unknown[]).length;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(dropped).toBe(2);
    expect(stack.sim.messages().filter((m) => m.destination === stranger.slice(1))).toEqual([]);
    expect((await received(alice, 1)).map((m) => m.text)).toEqual(['Hi Alice']);
  });

  it('never prints a participant number in logs or queue payloads', async () => {
    const redis = new Redis(inject('redisUrl'));
    try {
      const keys = await redis.keys('*');
      const values: string[] = [];
      for (const key of keys) {
        const type = await redis.type(key);
        if (type === 'hash') values.push(JSON.stringify(await redis.hgetall(key)));
        else if (type === 'string') values.push(String(await redis.get(key)));
        else if (type === 'list') values.push(JSON.stringify(await redis.lrange(key, 0, -1)));
        else if (type === 'stream') values.push(JSON.stringify(await redis.xrange(key, '-', '+')));
      }
      const output = [...stack.logLines(), ...values].join('\n');
      expect(stack.logLines().length).toBeGreaterThan(0);
      for (const n of [alice, bob, stranger]) expect(output).not.toContain(n.slice(1));
    } finally {
      redis.disconnect();
    }
  });
});
