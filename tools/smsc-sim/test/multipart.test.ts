import { describe, expect, it } from 'vitest';
import { buildControlApi } from '../src/index.js';
import { useSimulators } from './fixture.js';
import { eventually } from './smpp-test-client.js';

const udh8 = (ref: number, total: number, seq: number) => Buffer.from([0x05, 0x00, 0x03, ref, total, seq]);

describe('multipart traffic', () => {
  const sims = useSimulators();

  it('records UDH parts and joins them (octets, then decoded) in messages({ assemble })', async () => {
    const sim = await sims.start();
    const { client } = await sims.bind(sim);
    // The UCS-2 emoji's surrogate pair is cut between the parts: only the joined octets decode.
    const emoji = Buffer.from('d83dde00', 'hex');
    await client.submit({
      esm_class: 0x40,
      data_coding: 8,
      short_message: Buffer.concat([udh8(9, 2, 2), emoji.subarray(2)]),
    });
    await client.submit({
      esm_class: 0x40,
      data_coding: 8,
      short_message: Buffer.concat([udh8(9, 2, 1), Buffer.from('0041', 'hex'), emoji.subarray(0, 2)]),
    });
    await client.submit({ short_message: Buffer.from('single') });
    const parts = sim.messages();
    expect(parts.map((m) => m.part)).toEqual([
      { scheme: 'udh8', ref: 9, total: 2, seq: 2 },
      { scheme: 'udh8', ref: 9, total: 2, seq: 1 },
      undefined,
    ]);
    expect(parts[1]?.bodyHex).toBe('0041d83d');
    const [joined, single] = sim.messages(undefined, { assemble: true });
    expect(joined).toMatchObject({
      text: 'A😀',
      bodyHex: '0041d83dde00',
      complete: true,
      total: 2,
      partIds: [parts[1]!.messageId, parts[0]!.messageId],
    });
    expect(single).toMatchObject({
      text: 'single',
      complete: true,
      total: 1,
      partIds: [parts[2]!.messageId],
    });
  });

  it('records SAR parts and marks a message with a missing part incomplete', async () => {
    const sim = await sims.start();
    const { client } = await sims.bind(sim);
    const sar = (seq: number) => ({
      sar_msg_ref_num: 0x0102,
      sar_total_segments: 3,
      sar_segment_seqnum: seq,
    });
    await client.submit({ short_message: Buffer.from('one '), ...sar(1) });
    await client.submit({ short_message: Buffer.from('three'), ...sar(3) });
    expect(sim.messages()[0]?.part).toEqual({ scheme: 'sar', ref: 0x0102, total: 3, seq: 1 });
    expect(sim.messages(undefined, { assemble: true })).toEqual([
      expect.objectContaining({ text: 'one three', complete: false, total: 3 }),
    ]);
  });

  it('sends a receipt for every part, or for the last part only', async () => {
    for (const [receiptParts, expected] of [
      ['each', 2],
      ['last', 1],
    ] as const) {
      const sim = await sims.start({ receiptParts });
      const { client } = await sims.bind(sim);
      await client.submit({
        esm_class: 0x40,
        registered_delivery: 1,
        short_message: Buffer.concat([udh8(1, 2, 1), Buffer.from('a')]),
      });
      const last = await client.submit({
        esm_class: 0x40,
        registered_delivery: 1,
        short_message: Buffer.concat([udh8(1, 2, 2), Buffer.from('b')]),
      });
      await eventually(() => sim.stats().receiptsAcknowledged === expected);
      const ids = client.delivered.map((pdu) => pdu.receipted_message_id);
      if (receiptParts === 'last') expect(ids).toEqual([last.message_id]);
      else expect(ids).toHaveLength(2);
    }
  });

  it.each([
    ['udh8', 0x40],
    ['udh16', 0x40],
    ['sar', 0x00],
  ] as const)('injects a multipart MO with %s, skipping parts on request', async (split, esmClass) => {
    const sim = await sims.start();
    const { client } = await sims.bind(sim);
    const text = 'z'.repeat(400); // 153 + 153 + 94 septets
    expect(
      await sim.injectMo({
        from: '+447911123456',
        to: '+447700900000',
        text,
        split,
        ref: 0x0203,
        skipParts: [2],
      }),
    ).toBe(0);
    const delivered = await client.waitForDelivered(2);
    expect(delivered.map((pdu) => pdu.esm_class)).toEqual([esmClass, esmClass]);
    if (split === 'sar') {
      expect(delivered.map((pdu) => pdu.sar_segment_seqnum)).toEqual([1, 3]);
      expect(delivered[0]).toMatchObject({ sar_msg_ref_num: 0x0203, sar_total_segments: 3 });
    } else {
      const udh = delivered.map((pdu) => (pdu.short_message as { udh: Buffer[] }).udh[0]!.toString('hex'));
      expect(udh).toEqual(split === 'udh8' ? ['0003030301', '0003030303'] : ['080402030301', '080402030303']);
    }
    expect(sim.stats().moSent).toBe(2);
  });

  it('writes raw bytes to a bound session (malformed output), through the API too', async () => {
    const sim = await sims.start({ controlPort: 0 });
    expect(sim.injectRaw(Buffer.from('00', 'hex'))).toBe(false);
    const { client } = await sims.bind(sim);
    const failed = new Promise((resolve) => client.session.once('error', resolve));
    expect(sim.injectRaw(Buffer.from(`7fffffff${'00'.repeat(12)}`, 'hex'))).toBe(true);
    expect(String(await failed)).toContain('too large'); // the client got exactly these bytes
    const app = buildControlApi(sim);
    const bad = await app.inject({ method: 'POST', url: '/raw', payload: { hex: 'xyz' } });
    expect(bad.statusCode).toBe(400);
    client.session.destroy();
    await client.closed;
    await eventually(() => sim.stats().connections === 0);
    const none = await app.inject({ method: 'POST', url: '/raw', payload: { hex: '00' } });
    expect(none.statusCode).toBe(409);
  });

  it('serves multipart MO injection and assembled messages over the control API', async () => {
    const sim = await sims.start();
    const { client } = await sims.bind(sim);
    const app = buildControlApi(sim);
    const mo = await app.inject({
      method: 'POST',
      url: '/mo',
      payload: { from: '+447911123456', to: '+447700900000', text: 'w'.repeat(200), split: 'udh16', ref: 5 },
    });
    expect(mo.json()).toEqual({ delivered: true, commandStatus: 0 });
    expect(client.delivered).toHaveLength(2);
    await client.submit({
      sar_msg_ref_num: 3,
      sar_total_segments: 2,
      sar_segment_seqnum: 1,
      short_message: Buffer.from('ab'),
    });
    await client.submit({
      sar_msg_ref_num: 3,
      sar_total_segments: 2,
      sar_segment_seqnum: 2,
      short_message: Buffer.from('cd'),
    });
    const joined = (await app.inject({ method: 'GET', url: '/messages?assemble=true' })).json();
    expect(joined.messages).toEqual([
      expect.objectContaining({ text: 'abcd', bodyHex: '61626364', complete: true }),
    ]);
    const parts = (await app.inject({ method: 'GET', url: '/messages' })).json();
    expect(parts.messages).toHaveLength(2);
  });
});
