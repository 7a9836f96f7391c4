/// <reference types="@maskline/smpp-types" preserve="true" />
import smpp from 'smpp';
import { describe, expect, it } from 'vitest';
import { useSimulators } from './fixture.js';
import { eventually, sleep, textOf } from './smpp-test-client.js';

const RECEIPT_TEXT =
  /^id:(\S+) sub:001 dlvrd:(\d{3}) submit date:(\d{10}) done date:(\d{10}) stat:(\w+) err:(\d{3}) text:$/;

describe('submit_sm and delivery receipts', () => {
  const sims = useSimulators();

  it('answers a bind, then a submit with a hex id, then sends a parsable receipt with TLVs', async () => {
    const sim = await sims.start();
    const { client, resp: bind } = await sims.bind(sim);
    expect([bind.command, bind.command_status, bind.system_id]).toEqual([
      'bind_transceiver_resp',
      0,
      'SMSCSIM',
    ]);

    const resp = await client.submit({
      source_addr: '15550001111',
      source_addr_ton: 1,
      source_addr_npi: 1,
      short_message: Buffer.from('secret body'),
      registered_delivery: 1,
    });
    expect(resp.command_status).toBe(0);
    const id = String(resp.message_id);
    expect(id).toMatch(/^[0-9a-f]{16}$/);

    const [receipt] = await client.waitForDelivered(1);
    expect(receipt).toMatchObject({
      esm_class: 0x04,
      data_coding: 0,
      source_addr: '447911123456',
      source_addr_ton: 1,
      destination_addr: '15550001111',
      dest_addr_ton: 1,
      receipted_message_id: id,
      message_state: 2,
    });
    const match = RECEIPT_TEXT.exec(textOf(receipt?.short_message));
    expect(match?.slice(1, 2)).toEqual([id]);
    expect([match?.[2], match?.[5], match?.[6]]).toEqual(['001', 'DELIVRD', '000']);
    expect(textOf(receipt?.short_message)).not.toContain('secret');
    await eventually(() => sim.stats().receiptsAcknowledged === 1);
    expect(sim.stats()).toMatchObject({
      submits: 1,
      submitsAccepted: 1,
      receiptsSent: 1,
      binds: { transceiver: 1 },
    });
  });

  it('sends no receipt unless registered_delivery asks for one', async () => {
    const sim = await sims.start();
    const { client } = await sims.bind(sim);
    await client.submit({ registered_delivery: 0 });
    await client.submit({ registered_delivery: 2 }); // failures only, and this one is delivered
    await sleep(30);
    expect(client.delivered).toHaveLength(0);
    expect(sim.stats().receiptsSent).toBe(0);
  });

  it('hands out decimal ids when asked, unique per message', async () => {
    const sim = await sims.start({ messageIdFormat: 'decimal' });
    const { client } = await sims.bind(sim);
    const ids = await Promise.all([1, 2, 3].map(() => client.submit().then((r) => String(r.message_id))));
    for (const id of ids) expect(id).toMatch(/^\d{16}$/);
    expect(new Set(ids).size).toBe(3);
  });

  it('records GSM 03.38 specials, UCS-2 and other codings byte-exact', async () => {
    const sim = await sims.start();
    const { client } = await sims.bind(sim);
    const gsm = '@ $ € { } [ ] ~ \\ ^ | é £ ¥ ñ Δ _ \f';
    const chinese = '【京东】您的验证码5026，该验证码5分钟内有效 😀';
    await client.submit({ short_message: smpp.gsmCoder.encode(gsm, 0), data_coding: 0 });
    await client.submit({ short_message: Buffer.from(chinese, 'utf16le').swap16(), data_coding: 8 });
    await client.submit({ short_message: Buffer.from('A@$_{}~', 'ascii'), data_coding: 1 });
    await client.submit({ short_message: Buffer.from('Ça coûte 5£, à bientôt', 'latin1'), data_coding: 3 });
    expect(sim.messages().map((m) => [m.text, m.dataCoding])).toEqual([
      [gsm, 0],
      [chinese, 8],
      ['A@$_{}~', 1],
      ['Ça coûte 5£, à bientôt', 3],
    ]);
  });

  it('reads message_payload and the concatenation UDH', async () => {
    const sim = await sims.start();
    const { client } = await sims.bind(sim);
    await client.submit({ short_message: Buffer.alloc(0), message_payload: Buffer.from('x'.repeat(300)) });
    const udh = Buffer.from([0x05, 0x00, 0x03, 0x2a, 0x02, 0x01]);
    await client.submit({ esm_class: 0x40, short_message: Buffer.concat([udh, Buffer.from('part one')]) });
    const [long, part] = sim.messages();
    expect(long).toMatchObject({ text: 'x'.repeat(300), viaPayload: true });
    expect(part).toMatchObject({ text: 'part one', esmClass: 0x40, part: { ref: 0x2a, total: 2, seq: 1 } });
  });

  it('records the addresses, TON/NPI and flags of what it accepted', async () => {
    const sim = await sims.start();
    const { client } = await sims.bind(sim);
    await client.submit({ registered_delivery: 1 });
    expect(sim.messages()[0]).toMatchObject({
      systemId: 'test',
      source: 'Test',
      sourceTon: 5,
      destination: '447911123456',
      destinationTon: 1,
      destinationNpi: 1,
      registeredDelivery: 1,
      viaPayload: false,
    });
    expect(Date.parse(sim.messages()[0]!.receivedAt)).toBeGreaterThan(Date.now() - 5_000);
  });

  it('refuses a submit without a destination', async () => {
    const sim = await sims.start();
    const { client } = await sims.bind(sim);
    expect((await client.submit({ destination_addr: '' })).command_status).toBe(0x0b);
    expect(sim.messages()).toHaveLength(0);
  });

  it('follows receipt rules: UNDELIV by destination suffix, REJECTD by body pattern', async () => {
    const sim = await sims.start();
    sim.setRules([
      { destinationSuffix: '999', stat: 'UNDELIV', err: '012' },
      { bodyPattern: '^fail', stat: 'REJECTD' },
    ]);
    const { client } = await sims.bind(sim);
    await client.submit({ destination_addr: '447911000999', registered_delivery: 1 });
    await client.submit({ short_message: Buffer.from('fail me'), registered_delivery: 2 });
    const [undeliv, rejected] = await client.waitForDelivered(2);
    expect(textOf(undeliv?.short_message)).toContain('dlvrd:000');
    expect(textOf(undeliv?.short_message)).toContain('stat:UNDELIV err:012');
    expect(undeliv?.message_state).toBe(5);
    expect(textOf(rejected?.short_message)).toContain('stat:REJECTD err:001');
    expect(rejected?.message_state).toBe(8);
  });

  it('waits submitRespDelayMs before answering and receiptDelayMs before the receipt', async () => {
    const sim = await sims.start({ submitRespDelayMs: 40, receiptDelayMs: 60 });
    const { client } = await sims.bind(sim);
    const start = Date.now();
    await client.submit({ registered_delivery: 1 });
    const answered = Date.now() - start;
    await client.waitForDelivered(1);
    expect(answered).toBeGreaterThanOrEqual(35);
    expect(Date.now() - start).toBeGreaterThanOrEqual(95);
  });
});
