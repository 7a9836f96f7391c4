import { describe, expect, it } from 'vitest';
import { useSimulators } from './fixture.js';
import { eventually, nextHeader, rawPdu } from './smpp-test-client.js';

describe('SMPP sessions', () => {
  const sims = useSimulators();

  it('checks credentials when configured', async () => {
    const sim = await sims.start({ systemId: 'maskline', password: 'secret' });
    const wrongPassword = await sims.bind(sim, { system_id: 'maskline', password: 'nope' });
    expect(wrongPassword.resp.command_status).toBe(0x0e); // ESME_RINVPASWD
    const wrongSystem = await sims.bind(sim, { system_id: 'other', password: 'secret' });
    expect(wrongSystem.resp.command_status).toBe(0x0f); // ESME_RINVSYSID
    const good = await sims.bind(sim, { system_id: 'maskline', password: 'secret' }, 'bind_transmitter');
    expect([good.resp.command, good.resp.command_status]).toEqual(['bind_transmitter_resp', 0]);
    expect(sim.stats()).toMatchObject({ bindsRefused: 2, binds: { transmitter: 1, transceiver: 0 } });
  });

  it('refuses binds of a system_id over maxBinds and keeps the peak', async () => {
    const sim = await sims.start({ maxBinds: 2 });
    const first = await sims.bind(sim, { system_id: 'maskline' });
    await sims.bind(sim, { system_id: 'maskline' }, 'bind_receiver');
    const third = await sims.bind(sim, { system_id: 'maskline' });
    expect(third.resp.command_status).toBe(0x0d); // ESME_RBINDFAIL
    // Another system_id has its own budget.
    expect((await sims.bind(sim, { system_id: 'other' })).resp.command_status).toBe(0);
    expect(sim.stats()).toMatchObject({ bindsRefused: 1, bindsOverLimit: 1, peakBinds: 3 });
    // A bind let go frees its place.
    await first.client.request('unbind');
    await first.client.closed;
    await eventually(() => sim.stats().connections === 3);
    expect((await sims.bind(sim, { system_id: 'maskline' })).resp.command_status).toBe(0);
    expect(sim.stats().peakBinds).toBe(3);
  });

  it('refuses a second bind and submits before a bind or on a receiver', async () => {
    const sim = await sims.start();
    const unbound = await sims.open(sim);
    expect((await unbound.submit()).command_status).toBe(0x04); // ESME_RINVBNDSTS
    const { client } = await sims.bind(sim);
    expect((await client.request('bind_transceiver', { system_id: 'test' })).command_status).toBe(0x05);
    const { client: receiver } = await sims.bind(sim, { system_id: 'test' }, 'bind_receiver');
    expect((await receiver.submit()).command_status).toBe(0x04);
    expect(sim.stats().submits).toBe(0);
  });

  it('answers enquire_link, and unbind with a response before closing', async () => {
    const sim = await sims.start();
    const { client } = await sims.bind(sim);
    expect((await client.request('enquire_link')).command).toBe('enquire_link_resp');
    const resp = await client.request('unbind');
    expect([resp.command, resp.command_status]).toEqual(['unbind_resp', 0]);
    await client.closed;
    await eventually(() => sim.stats().connections === 0);
  });

  it('answers unknown and unimplemented commands with generic_nack', async () => {
    const sim = await sims.start();
    const { client } = await sims.bind(sim);
    const nack = await client.request('query_sm', { message_id: '1', source_addr: 'x' });
    expect([nack.command, nack.command_status]).toEqual(['generic_nack', 0x03]);

    const raw = await sims.raw(sim);
    raw.write(rawPdu(0x00000999, 7));
    expect(await nextHeader(raw)).toEqual({ id: 0x80000000, status: 0x03, seq: 7 });
    expect(sim.stats().genericNacks).toBe(2);
  });

  it('drops a peer that sends garbage and keeps serving the others', async () => {
    const sim = await sims.start();
    const { client } = await sims.bind(sim, { system_id: 'test' }, 'bind_transceiver');
    for (const garbage of [
      Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), // command_length far above the maximum
      Buffer.from([0, 0, 0, 8, 0, 0, 0, 4, 0, 0, 0, 0]), // command_length below the header size
    ]) {
      const raw = await sims.raw(sim);
      raw.write(garbage);
      await new Promise((resolve) => raw.once('close', resolve));
    }
    expect(sim.stats().protocolErrors).toBe(2);
    expect((await client.submit({ short_message: Buffer.from('still ok') })).command_status).toBe(0);
    // An outbind (a command with no _resp) must not crash the server either.
    const raw = await sims.raw(sim);
    raw.write(rawPdu(0x0000000b, 3, Buffer.from('x\0\0')));
    expect((await nextHeader(raw)).id).toBe(0x80000000);
    expect(sim.stats().internalErrors).toBe(0);
  });

  it('unbinds its clients on close', async () => {
    const sim = await sims.start();
    const { client } = await sims.bind(sim);
    const unbind = new Promise((resolve) => client.session.once('unbind', resolve));
    await sim.close();
    await unbind;
    await client.closed;
  });
});
