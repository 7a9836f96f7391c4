import type { CarrierPlugin } from '@maskline/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SmppConfigInput } from '../src/index.js';
import { type TestContext, testContext } from './support/context.js';
import { closePlugins, inboundOf, receiptsOf, startPlugin } from './support/harness.js';
import { CMD, deliverSmBody, pdu, type RawConnection, RawSmsc } from './support/raw-smsc.js';
import { eventually } from './support/wait.js';

const RECEIPT_ESM_CLASS = 0x04;
const BIND_RECEIVER = 0x01;
const ESME_RINVBNDSTS = 0x04;

const receiptText = (id: string) =>
  Buffer.from(
    `id:${id} sub:001 dlvrd:001 submit date:2401021530 done date:2401021531 stat:DELIVRD err:000 text:`,
  );

/**
 * An SMSC that flushes stored receipts and MO the moment it answers the bind: the
 * bind_*_resp and the deliver_sm PDUs leave in ONE socket.write, so the plugin decodes them
 * from the same TCP read. Every deliver_sm must be published and answered ESME_ROK.
 */
describe('deliver_sm flushed together with the bind response', () => {
  let smsc: RawSmsc;
  let ctx: TestContext;
  let sequence = 1000;

  const flush = (receiptId: string, moText: string) => [
    pdu(CMD.deliver_sm, ++sequence, deliverSmBody(receiptText(receiptId), RECEIPT_ESM_CLASS)),
    pdu(CMD.deliver_sm, ++sequence, deliverSmBody(Buffer.from(moText))),
  ];
  /** The bind response, then the flush, in one write. */
  const withFlush = (receiptId: string, moText: string) => (_: RawConnection, bindResp: Buffer) => [
    bindResp,
    ...flush(receiptId, moText),
  ];
  const deliverResps = (c: RawConnection) => c.frames.filter((f) => f.commandId === CMD.deliver_sm_resp);
  const start = (overrides: Partial<SmppConfigInput> = {}): Promise<CarrierPlugin> =>
    startPlugin(ctx, smsc.port, { reconnectMinMs: 1, reconnectMaxMs: 5, ...overrides });

  beforeEach(async () => {
    smsc = await RawSmsc.start();
    ctx = testContext();
  });
  afterEach(async () => {
    await closePlugins();
    await smsc.close();
  });

  it('accepts a receipt and an MO written in the same segment as bind_transceiver_resp', async () => {
    smsc.onBindWrite = withFlush('f1', 'hello after bind');
    await start();
    const link = smsc.connections[0]!;
    await eventually(() => deliverResps(link).length === 2);
    expect(deliverResps(link).map((f) => [f.sequence, f.status])).toEqual([
      [1001, 0],
      [1002, 0],
    ]);
    expect(receiptsOf(ctx)).toMatchObject([{ carrierMessageId: 'f1', outcome: 'delivered' }]);
    expect(inboundOf(ctx)).toMatchObject([{ body: 'hello after bind', from: '+447700900123' }]);
  });

  it('accepts the flush on the receiver bind of a transmitter-receiver pair', async () => {
    smsc.onBindWrite = (c, bindResp) =>
      c.bindCommand === BIND_RECEIVER ? withFlush('f2', 'mo on receiver')(c, bindResp) : [bindResp];
    const plugin = await start({ bindMode: 'transmitter-receiver' });
    await eventually(() => plugin.health().status === 'up');
    const receiver = smsc.connections.find((c) => c.bindCommand === BIND_RECEIVER)!;
    await eventually(() => deliverResps(receiver).length === 2);
    expect(deliverResps(receiver).every((f) => f.status === 0)).toBe(true);
    expect(receiptsOf(ctx)).toMatchObject([{ carrierMessageId: 'f2' }]);
    expect(inboundOf(ctx)).toMatchObject([{ body: 'mo on receiver' }]);
  });

  it('accepts the flush that comes with the bind response again after the SMSC drops the link', async () => {
    let binds = 0;
    smsc.onBindWrite = (c, bindResp) => {
      binds++;
      return withFlush(`r${binds}`, `mo ${binds}`)(c, bindResp);
    };
    const plugin = await start();
    await eventually(() => deliverResps(smsc.connections[0]!).length === 2);
    smsc.connections[0]!.socket.destroy();
    await eventually(() => smsc.connections.length === 2 && deliverResps(smsc.connections[1]!).length === 2);
    expect(deliverResps(smsc.connections[1]!).every((f) => f.status === 0)).toBe(true);
    expect(receiptsOf(ctx).map((r) => r.carrierMessageId)).toEqual(['r1', 'r2']);
    expect(inboundOf(ctx).map((m) => m.body)).toEqual(['mo 1', 'mo 2']);
    await eventually(() => plugin.health().status === 'up');
  });

  it('still refuses a deliver_sm written before the bind response (ESME_RINVBNDSTS), and takes the one after it', async () => {
    smsc.onBindWrite = (_, bindResp) => [
      pdu(CMD.deliver_sm, 1, deliverSmBody(Buffer.from('too early'))),
      bindResp,
      pdu(CMD.deliver_sm, 2, deliverSmBody(Buffer.from('in time'))),
    ];
    await start();
    const link = smsc.connections[0]!;
    await eventually(() => deliverResps(link).length === 2);
    expect(deliverResps(link).map((f) => [f.sequence, f.status])).toEqual([
      [1, ESME_RINVBNDSTS],
      [2, 0],
    ]);
    expect(inboundOf(ctx).map((m) => m.body)).toEqual(['in time']);
  });
});
