import { describe, expect, it } from 'vitest';
import { buildControlApi } from '../src/index.js';
import { useSimulators } from './fixture.js';

describe('control API', () => {
  const sims = useSimulators();

  async function setup() {
    const sim = await sims.start();
    const app = buildControlApi(sim);
    return { sim, app };
  }

  it('reports health, stats and recorded messages', async () => {
    const { sim, app } = await setup();
    const { client } = await sims.bind(sim);
    for (const text of ['one', 'two', 'three']) await client.submit({ short_message: Buffer.from(text) });
    expect((await app.inject({ method: 'GET', url: '/health' })).json()).toEqual({
      status: 'ok',
      smppPort: sim.smppPort,
    });
    const stats = (await app.inject({ method: 'GET', url: '/stats' })).json();
    expect(stats).toMatchObject({
      binds: { transceiver: 1 },
      submits: 3,
      recordedMessages: 3,
      connections: 1,
    });
    const messages = (await app.inject({ method: 'GET', url: '/messages?limit=2' })).json();
    expect(messages.messages.map((m: { text: string }) => m.text)).toEqual(['two', 'three']);
    expect(messages.messages[0]).toMatchObject({ destination: '447911123456', dataCoding: 0 });
    const bad = await app.inject({ method: 'GET', url: '/messages?limit=zero' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('invalid_request');
  });

  it('injects MO and reports a missing receiver as an error body', async () => {
    const { sim, app } = await setup();
    const mo = { from: '+447911123456', to: '+447700900000', text: 'hi' };
    const none = await app.inject({ method: 'POST', url: '/mo', payload: mo });
    expect(none.statusCode).toBe(409);
    expect(none.json().error).toMatchObject({ code: 'no_receiver' });
    const { client } = await sims.bind(sim);
    const ok = await app.inject({ method: 'POST', url: '/mo', payload: mo });
    expect(ok.json()).toEqual({ delivered: true, commandStatus: 0 });
    expect(client.delivered).toHaveLength(1);
    const invalid = await app.inject({ method: 'POST', url: '/mo', payload: { from: '+1' } });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error).toMatchObject({
      code: 'invalid_request',
      message: expect.stringContaining('to'),
    });
  });

  it('sets rules and faults, validating them', async () => {
    const { sim, app } = await setup();
    const rules = await app.inject({
      method: 'PUT',
      url: '/rules',
      payload: [{ destinationSuffix: '456', stat: 'EXPIRED', err: '027' }],
    });
    expect(rules.statusCode).toBe(200);
    const badRegex = await app.inject({
      method: 'PUT',
      url: '/rules',
      payload: [{ bodyPattern: '(', stat: 'UNDELIV' }],
    });
    expect(badRegex.statusCode).toBe(400);
    expect(badRegex.json().error.message).toContain('regular expression');
    const badStat = await app.inject({ method: 'PUT', url: '/rules', payload: [{ stat: 'LOST' }] });
    expect(badStat.statusCode).toBe(400);

    expect((await app.inject({ method: 'PUT', url: '/faults', payload: { throttle: 1 } })).statusCode).toBe(
      200,
    );
    const badFault = await app.inject({
      method: 'PUT',
      url: '/faults',
      payload: { throttle: -1, bogus: true },
    });
    expect(badFault.statusCode).toBe(400);

    const { client } = await sims.bind(sim);
    expect((await client.submit({ registered_delivery: 1 })).command_status).toBe(0x58);
    await client.submit({ registered_delivery: 1 });
    const [receipt] = await client.waitForDelivered(1);
    expect(receipt?.message_state).toBe(3);
  });

  it('resets, and answers unknown routes and malformed JSON in the error shape', async () => {
    const { sim, app } = await setup();
    const { client } = await sims.bind(sim);
    await client.submit();
    sim.setFaults({ throttle: 5 });
    expect((await app.inject({ method: 'POST', url: '/reset' })).json()).toEqual({ reset: true });
    expect(sim.messages()).toHaveLength(0);
    expect(sim.stats().submits).toBe(0);
    expect((await client.submit()).command_status).toBe(0);

    const missing = await app.inject({ method: 'GET', url: '/nope' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('not_found');
    const malformed = await app.inject({
      method: 'PUT',
      url: '/faults',
      headers: { 'content-type': 'application/json' },
      payload: '{"throttle":',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toBe('invalid_request');
  });

  it('listens on 127.0.0.1 when started with a control port', async () => {
    const sim = await sims.start({ controlPort: 0 });
    expect(sim.controlPort).toBeGreaterThan(0);
    const response = await fetch(`http://127.0.0.1:${sim.controlPort}/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ queueFull: 1 }),
    });
    expect(await response.json()).toEqual({ faults: { queueFull: 1 } });
    const { client } = await sims.bind(sim);
    expect((await client.submit()).command_status).toBe(0x14);
  });
});
