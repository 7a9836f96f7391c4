import type { CarrierPlugin } from '@maskline/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SmppConfigInput, smppCarrierPlugin } from '../src/index.js';
import { captureLogger } from './support/capture-logger.js';
import { type TestContext, testConfig, testContext } from './support/context.js';
import { request } from './support/harness.js';
import { CMD, deliverSmBody, pdu, type RawConnection, RawSmsc } from './support/raw-smsc.js';
import { eventually, sleep } from './support/wait.js';

const ESME_RINVCMDLEN = 0x02;
const ESME_RINVCMDID = 0x03;

/** Malformed and hostile input from the SMSC, written as raw bytes at a bound client. */
describe('SMPP input path: malformed PDUs never crash, the bad bind is answered or reset', () => {
  let smsc: RawSmsc;
  let ctx: TestContext;
  let logger: ReturnType<typeof captureLogger>;
  const plugins: CarrierPlugin[] = [];

  const start = async (overrides: Partial<SmppConfigInput> = {}) => {
    const plugin = smppCarrierPlugin.create(
      ctx,
      testConfig(smsc.port, { reconnectMinMs: 1, reconnectMaxMs: 5, pduReadTimeoutMs: 100, ...overrides }),
    );
    plugins.push(plugin);
    await plugin.start();
    await eventually(() => plugin.health().status === 'up');
    return plugin;
  };
  const nacks = (c: RawConnection) => c.frames.filter((f) => f.commandId === CMD.generic_nack);
  const first = () => smsc.connections[0]!;

  beforeEach(async () => {
    smsc = await RawSmsc.start();
    ctx = testContext();
    logger = captureLogger();
    ctx.logger = logger;
  });
  afterEach(async () => {
    await Promise.all(plugins.splice(0).map((p) => p.close()));
    await smsc.close();
  });

  it('answers an unknown command_id with generic_nack ESME_RINVCMDID and keeps the link', async () => {
    const plugin = await start();
    first().socket.write(pdu(0x0000_0777, 42));
    await eventually(() => nacks(first()).length === 1);
    expect(nacks(first())[0]).toMatchObject({ status: ESME_RINVCMDID, sequence: 42 });
    expect((await plugin.submit(request)).carrierMessageId).toBe('raw1');
    expect(smsc.connections).toHaveLength(1);
  });

  it.each([
    ['below the 16-octet header', 8],
    ['zero', 0],
    ['beyond maxPduOctets', 0x0010_0000],
  ])('resets the link on a command_length %s, after a generic_nack ESME_RINVCMDLEN', async (_, length) => {
    const plugin = await start();
    const bad = pdu(CMD.enquire_link, 9);
    bad.writeUInt32BE(length, 0);
    first().socket.write(bad);
    await eventually(() => first().socket.destroyed || first().socket.readableEnded);
    expect(nacks(first())[0]).toMatchObject({ status: ESME_RINVCMDLEN });
    await eventually(() => smsc.connections.length === 2 && plugin.health().status === 'up');
    expect((await plugin.submit(request)).carrierMessageId).toMatch(/^raw/);
    expect(logger.lines.some((l) => l.fields.fault === 'bad_command_length' && l.fields.reset === true)).toBe(
      true,
    );
  });

  it.each([
    ['a body cut inside its fields', (body: Buffer) => body.subarray(0, 20)],
    [
      'an sm_length beyond the body',
      (body: Buffer) => {
        const copy = Buffer.from(body);
        copy[copy.length - 25] = 200; // sm_length (the text is 24 octets)
        return copy;
      },
    ],
    [
      'a TLV running past the end',
      (body: Buffer) => Buffer.concat([body, Buffer.from([0x04, 0x24, 0x00, 0x40, 0x41])]),
    ],
    [
      'trailing bytes too short for a TLV',
      (body: Buffer) => Buffer.concat([body, Buffer.from([0x00, 0x01])]),
    ],
  ])(
    'answers a deliver_sm with %s with generic_nack ESME_RINVCMDLEN, publishes nothing, keeps the link',
    async (_, cut) => {
      await start();
      const secret = Buffer.from('secret body 447700900123');
      first().socket.write(pdu(CMD.deliver_sm, 7, cut(deliverSmBody(secret))));
      await eventually(() => nacks(first()).length === 1);
      expect(nacks(first())[0]).toMatchObject({ status: ESME_RINVCMDLEN, sequence: 7 });
      first().socket.write(pdu(CMD.deliver_sm, 8, deliverSmBody(Buffer.from('fine'))));
      await eventually(() => first().frames.some((f) => f.commandId === CMD.deliver_sm_resp));
      expect(ctx.published).toEqual([expect.objectContaining({ type: 'inbound', body: 'fine' })]);
      expect(first().frames.find((f) => f.commandId === CMD.deliver_sm_resp)).toMatchObject({
        sequence: 8,
        status: 0,
      });
      expect(smsc.connections).toHaveLength(1);
      const logged = JSON.stringify(logger.lines);
      expect(logged).toContain('malformed_body');
      expect(logged).not.toContain('447700900123');
      expect(logged).not.toContain('secret');
    },
  );

  it('resets a link whose PDU stops arriving part-way (command_length past the data)', async () => {
    const plugin = await start();
    const partial = pdu(CMD.deliver_sm, 5, deliverSmBody(Buffer.from('x'.repeat(50))));
    first().socket.write(partial.subarray(0, 30));
    await eventually(() => first().socket.destroyed || first().socket.readableEnded, 1000);
    expect(logger.lines.some((l) => l.fields.fault === 'stalled_pdu')).toBe(true);
    await eventually(() => smsc.connections.length === 2 && plugin.health().status === 'up');
  });

  it('drops only the bind that got garbage; the other bind keeps working', async () => {
    const plugin = await start({ binds: 2 });
    const [bad, good] = smsc.connections;
    bad!.socket.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    await eventually(() => bad!.socket.destroyed || bad!.socket.readableEnded);
    const results = await Promise.all(Array.from({ length: 6 }, () => plugin.submit(request)));
    expect(results).toHaveLength(6);
    expect(good!.socket.destroyed).toBe(false);
    expect(good!.frames.filter((f) => f.commandId === CMD.submit_sm).length).toBeGreaterThan(0);
    await sleep(20);
    expect(plugin.health().status).toBe('up');
  });

  it('never answers a malformed response PDU (no generic_nack ping-pong)', async () => {
    await start();
    const resp = pdu(CMD.submit_sm_resp, 99, Buffer.from('no-nul-terminator'));
    first().socket.write(resp);
    first().socket.write(pdu(0x8000_0777, 100)); // unknown response id
    first().socket.write(pdu(CMD.enquire_link, 101));
    await eventually(() => first().frames.some((f) => f.commandId === CMD.enquire_link_resp));
    expect(nacks(first())).toEqual([]);
  });

  it('reassembles PDUs that arrive a few bytes at a time, and several PDUs in one segment', async () => {
    await start({ pduReadTimeoutMs: 1000 });
    const one = pdu(CMD.deliver_sm, 11, deliverSmBody(Buffer.from('slow')));
    for (let i = 0; i < one.length; i += 3) {
      first().socket.write(one.subarray(i, i + 3));
      await sleep(2);
    }
    first().socket.write(
      Buffer.concat([
        pdu(CMD.deliver_sm, 12, deliverSmBody(Buffer.from('two'))),
        pdu(CMD.deliver_sm, 13, deliverSmBody(Buffer.from('three'))),
      ]),
    );
    await eventually(() => first().frames.filter((f) => f.commandId === CMD.deliver_sm_resp).length === 3);
    expect(ctx.published.map((e) => (e.type === 'inbound' ? e.body : ''))).toEqual(['slow', 'two', 'three']);
    expect(nacks(first())).toEqual([]);
  });
});
