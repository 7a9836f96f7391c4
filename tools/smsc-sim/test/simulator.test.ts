/// <reference types="@maskline/smpp-types" />
import { Socket } from 'node:net';
import smpp from 'smpp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SmscSimulator, startSmscSimulator } from '../src/index.js';
import { TestClient, text } from './smpp-client.js';

describe('smsc-sim over SMPP', () => {
  let sim: SmscSimulator;
  const clients: TestClient[] = [];
  const connect = async (bind?: Record<string, unknown>) => {
    const result = await TestClient.connect(sim.smppPort, bind);
    clients.push(result.client);
    return result;
  };

  beforeEach(async () => {
    sim = await startSmscSimulator({ smppPort: 0, controlPort: 0, password: 'pw' });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await sim.close();
  });

  it('answers a submit with a hex id and sends a parsable receipt with TLVs', async () => {
    const { client, bindStatus } = await connect();
    expect(bindStatus).toBe(0);
    const resp = await client.submit({
      short_message: Buffer.from('hello'),
      data_coding: 0,
      registered_delivery: 1,
    });
    expect(resp.command_status).toBe(0);
    expect(String(resp.message_id)).toMatch(/^[0-9a-f]+$/);
    const [receipt] = await client.waitForDelivered(1);
    expect(receipt?.esm_class).toBe(0x04);
    expect(receipt?.receipted_message_id).toBe(resp.message_id);
    expect(receipt?.message_state).toBe(2);
    expect(text(receipt?.short_message)).toMatch(
      new RegExp(
        `^id:${resp.message_id} sub:001 dlvrd:001 submit date:\\d{10} done date:\\d{10} stat:DELIVRD err:000 text:$`,
      ),
    );
    expect(text(receipt?.short_message)).not.toContain('hello');
  });

  it('records GSM-7 specials and UCS-2 Chinese text exactly', async () => {
    const { client } = await connect();
    const gsm = '@ $ € { } [ ] ~ \\ ^ | é';
    const chinese = '【京东】您的验证码5026,该验证码5分钟内有效';
    await client.submit({ short_message: smpp.gsmCoder.encode(gsm, 0), data_coding: 0 });
    const ucs2 = Buffer.from(chinese, 'utf16le').swap16();
    await client.submit({ short_message: ucs2, data_coding: 8 });
    expect(sim.messages().map((m) => [m.text, m.dataCoding])).toEqual([
      [gsm, 0],
      [chinese, 8],
    ]);
  });

  it('reads message_payload when the body is sent there', async () => {
    const { client } = await connect();
    await client.submit({
      short_message: Buffer.alloc(0),
      message_payload: Buffer.from('x'.repeat(300)),
      data_coding: 0,
    });
    expect(sim.messages()[0]).toMatchObject({ text: 'x'.repeat(300), viaPayload: true });
  });

  it('uses decimal ids when asked', async () => {
    await sim.close();
    sim = await startSmscSimulator({ smppPort: 0, controlPort: null, messageIdFormat: 'decimal' });
    const { client } = await connect();
    const resp = await client.submit({ short_message: Buffer.from('x') });
    expect(String(resp.message_id)).toMatch(/^\d+$/);
  });

  it('follows receipt rules', async () => {
    sim.setRules([{ destinationSuffix: '999', stat: 'UNDELIV', err: '012' }]);
    const { client } = await connect();
    await client.submit({
      destination_addr: '447911000999',
      short_message: Buffer.from('x'),
      registered_delivery: 1,
    });
    const [receipt] = await client.waitForDelivered(1);
    expect(text(receipt?.short_message)).toContain('stat:UNDELIV err:012');
    expect(receipt?.message_state).toBe(5);
  });

  it('throttles, queues full, drops responses and rejects on demand', async () => {
    const { client } = await connect();
    sim.setFaults({ throttleNext: 1, queueFullNext: 1, rejectNext: 1, rejectStatus: 0x0b });
    const statuses = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await client.submit({ short_message: Buffer.from('x') })).command_status);
    expect(statuses).toEqual([0x58, 0x14, 0x0b, 0]);
    sim.setFaults({ dropResponsesNext: 1 });
    const dropped = await Promise.race([
      client.submit({ short_message: Buffer.from('x') }).then(() => 'answered'),
      new Promise((r) => setTimeout(() => r('silent'), 200)),
    ]);
    expect(dropped).toBe('silent');
    expect(sim.stats()).toMatchObject({ throttled: 1, responsesDropped: 1 });
  });

  it('disconnects after N submits', async () => {
    const { client } = await connect();
    sim.setFaults({ disconnectAfter: 2 });
    expect((await client.submit({ short_message: Buffer.from('x') })).command_status).toBe(0);
    const closed = new Promise((r) => client.session.once('close', r));
    void client.submit({ short_message: Buffer.from('x') });
    await closed;
    expect(sim.stats().disconnects).toBe(1);
  });

  it('redelivers a receipt the client refused and keeps receipts for the next bind', async () => {
    const { client } = await connect();
    client.deliverStatus = 0x64;
    await client.submit({ short_message: Buffer.from('x'), registered_delivery: 1 });
    await client.waitForDelivered(1);
    client.deliverStatus = 0;
    const both = await client.waitForDelivered(2, 3_000);
    expect(both[1]?.receipted_message_id).toBe(both[0]?.receipted_message_id);
    const deadline = Date.now() + 1_000;
    while (sim.stats().receiptsAcknowledged < 1 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 5));
    expect(sim.stats().receiptsAcknowledged).toBe(1);

    await sim.close();
    sim = await startSmscSimulator({ smppPort: 0, controlPort: null, receiptDelayMs: 100 });
    const first = await connect();
    await first.client.submit({ short_message: Buffer.from('y'), registered_delivery: 1 });
    first.client.close();
    await new Promise((r) => setTimeout(r, 200));
    expect(sim.stats().receiptsPending).toBe(1);
    const second = await connect();
    expect(await second.client.waitForDelivered(1)).toHaveLength(1);
  });

  it('injects MO messages, GSM or UCS-2', async () => {
    const { client } = await connect();
    expect(await sim.injectMo({ from: '+447911123456', to: '+447700900000', text: 'Reply €5' })).toBe(0);
    expect(await sim.injectMo({ from: '+447911123456', to: '+447700900000', text: '好的' })).toBe(0);
    const [gsm, ucs2] = await client.waitForDelivered(2);
    expect([gsm?.esm_class, gsm?.data_coding, text(gsm?.short_message)]).toEqual([0, 0, 'Reply €5']);
    expect([ucs2?.data_coding, text(ucs2?.short_message)]).toEqual([8, '好的']);
    expect(gsm?.source_addr).toBe('447911123456');
  });

  it('refuses wrong credentials and binding twice', async () => {
    expect((await connect({ system_id: 'test', password: 'nope' })).bindStatus).toBe(0x0e);
    const { client } = await connect();
    expect(
      (await client.request('bind_transceiver', { system_id: 'test', password: 'pw' })).command_status,
    ).toBe(0x05);
  });

  it('survives garbage bytes and keeps serving other sessions', async () => {
    const { client } = await connect();
    const raw = new Socket();
    await new Promise<void>((r) => raw.connect(sim.smppPort, '127.0.0.1', r));
    raw.on('error', () => {});
    raw.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    await new Promise((r) => raw.once('close', r));
    expect(sim.stats().protocolErrors).toBe(1);
    expect((await client.submit({ short_message: Buffer.from('still ok') })).command_status).toBe(0);
  });

  it('answers enquire_link, unbind and unknown commands', async () => {
    const { client } = await connect();
    expect((await client.request('enquire_link')).command).toBe('enquire_link_resp');
    expect((await client.request('query_sm', { message_id: '1', source_addr: 'x' })).command_status).toBe(
      0x03,
    );
    expect((await client.request('unbind')).command).toBe('unbind_resp');
  });

  it('offers a control API for MO, rules, faults and stats', async () => {
    await connect();
    const base = `http://127.0.0.1:${sim.controlPort}`;
    const put = (path: string, body: unknown) =>
      fetch(base + path, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await put('/rules', [{ bodyPattern: 'fail', stat: 'REJECTD' }])).status).toBe(200);
    expect((await put('/faults', { throttleNext: 'x' })).status).toBe(400);
    const mo = await fetch(`${base}/mo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: '+447911123456', to: '+447700900000', text: 'hi' }),
    });
    expect(await mo.json()).toEqual({ delivered: true, commandStatus: 0 });
    const stats = (await (await fetch(`${base}/stats`)).json()) as {
      binds: { transceiver: number };
      moSent: number;
    };
    expect(stats.binds.transceiver).toBe(1);
    expect(stats.moSent).toBe(1);
    const bad = await fetch(`${base}/mo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'invalid_request' } });
  });
});
