import { describe, expect, it } from 'vitest';
import { SmscSimError } from '../src/index.js';
import { useSimulators } from './fixture.js';
import { eventually, textOf } from './smpp-test-client.js';

describe('MO injection', () => {
  const sims = useSimulators();

  it('delivers GSM-7 and UCS-2 messages with data_coding set, resolving with the response status', async () => {
    const sim = await sims.start();
    const { client } = await sims.bind(sim);
    expect(await sim.injectMo({ from: '+447911123456', to: '+447700900000', text: 'Reply €5 {ok}' })).toBe(0);
    expect(await sim.injectMo({ from: 'Bank', to: '12345', text: '好的 👍' })).toBe(0);
    const [gsm, ucs2] = await client.waitForDelivered(2);
    expect(gsm).toMatchObject({
      esm_class: 0,
      data_coding: 0,
      source_addr: '447911123456',
      source_addr_ton: 1,
      source_addr_npi: 1,
      destination_addr: '447700900000',
    });
    expect(textOf(gsm?.short_message)).toBe('Reply €5 {ok}');
    expect(ucs2).toMatchObject({
      data_coding: 8,
      source_addr: 'Bank',
      source_addr_ton: 5,
      destination_addr: '12345',
    });
    expect(textOf(ucs2?.short_message)).toBe('好的 👍');
    expect(sim.stats()).toMatchObject({ moSent: 2, moAcknowledged: 2 });
  });

  it('sends long text in message_payload', async () => {
    const sim = await sims.start();
    const { client } = await sims.bind(sim);
    await sim.injectMo({ from: '+447911123456', to: '+447700900000', text: 'y'.repeat(200) });
    const [pdu] = await client.waitForDelivered(1);
    expect(textOf(pdu?.short_message)).toBe('');
    expect(textOf(pdu?.message_payload)).toBe('y'.repeat(200));
  });

  it('resolves with the error status the client answers with', async () => {
    const sim = await sims.start();
    const { client } = await sims.bind(sim);
    client.deliverStatus = 0x64;
    expect(await sim.injectMo({ from: '+447911123456', to: '+447700900000', text: 'hi' })).toBe(0x64);
  });

  it('rejects clearly when no receiving session is bound', async () => {
    const sim = await sims.start();
    await sims.bind(sim, { system_id: 'test' }, 'bind_transmitter');
    const attempt = sim.injectMo({ from: '+447911123456', to: '+447700900000', text: 'hi' });
    await expect(attempt).rejects.toThrow(SmscSimError);
    await expect(attempt).rejects.toMatchObject({
      code: 'no_receiver',
      message: /no receiving SMPP session/,
    });
    await sims.bind(sim, { system_id: 'a' }, 'bind_receiver');
    await expect(
      sim.injectMo({ from: '+447911123456', to: '+447700900000', text: 'hi', systemId: 'b' }),
    ).rejects.toThrow(/system_id b/);
  });

  it('targets a system_id, and fails on timeout or when the session closes first', async () => {
    const sim = await sims.start({ moResponseTimeoutMs: 50 });
    const { client: a } = await sims.bind(sim, { system_id: 'a' }, 'bind_receiver');
    const { client: b } = await sims.bind(sim, { system_id: 'b' }, 'bind_receiver');
    expect(
      await sim.injectMo({ from: '+447911123456', to: '+447700900000', text: 'to b', systemId: 'b' }),
    ).toBe(0);
    expect(textOf(b.delivered[0]?.short_message)).toBe('to b');
    expect(a.delivered).toHaveLength(0);

    b.deliverStatus = null;
    const mo = { from: '+447911123456', to: '+447700900000', text: 'x', systemId: 'b' };
    await expect(sim.injectMo(mo)).rejects.toMatchObject({ code: 'timeout' });
    const failed = expect(sim.injectMo(mo)).rejects.toMatchObject({ code: 'session_closed' });
    await eventually(() => b.delivered.length === 3);
    await b.close();
    await failed;
  });
});

describe('MO injection during close', () => {
  const sims = useSimulators();

  it('fails a waiting injection with code closed, without holding close()', async () => {
    const sim = await sims.start({ controlPort: 0 });
    const { client } = await sims.bind(sim);
    client.deliverStatus = null;
    const viaHttp = fetch(`http://127.0.0.1:${sim.controlPort}/mo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: '+447911123456', to: '+447700900000', text: 'late' }),
    });
    await client.waitForDelivered(1);
    const started = Date.now();
    await sim.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    const response = await viaHttp;
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { code: 'closed' } });
  });
});
