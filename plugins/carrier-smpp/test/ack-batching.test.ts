import { Socket } from 'node:net';
import type { CarrierEvent } from '@maskline/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type TestContext, testContext } from './support/context.js';
import { closePlugins, receiptsOf, startPlugin } from './support/harness.js';
import { CMD, deliverSmBody, pdu, type RawConnection, RawSmsc } from './support/raw-smsc.js';
import { eventually } from './support/wait.js';

const RECEIPT_ESM_CLASS = 0x04;
const N = 40;

const receipt = (sequence: number) =>
  pdu(
    CMD.deliver_sm,
    sequence,
    deliverSmBody(
      Buffer.from(
        `id:r${sequence} sub:001 dlvrd:001 submit date:2401021530 done date:2401021531 stat:DELIVRD err:000 text:`,
      ),
      RECEIPT_ESM_CLASS,
    ),
  );
/** N receipts (sequences 1..N) in ONE socket.write: the plugin decodes them from one TCP read. */
const receipts = () => Buffer.concat(Array.from({ length: N }, (_, i) => receipt(i + 1)));

/**
 * deliver_sm_resp is corked with everything else written in the same tick: N receipts whose
 * publish settles in one tick are acknowledged in one write, not N. The ordering guarantee
 * stays: no deliver_sm_resp leaves before the host's publish of that receipt resolved.
 */
describe('deliver_sm_resp batching', () => {
  let smsc: RawSmsc;
  let ctx: TestContext;
  /** Write requests (one write/writev system call each) the plugin's socket made to the SMSC. */
  let writes = 0;

  const deliverResps = (c: RawConnection) => c.frames.filter((f) => f.commandId === CMD.deliver_sm_resp);
  const bound = async () => {
    await startPlugin(ctx, smsc.port);
    const link = smsc.connections[0]!;
    await eventually(() => link.bound);
    return link;
  };

  beforeEach(async () => {
    smsc = await RawSmsc.start();
    ctx = testContext();
    writes = 0;
    const count = (original: (...args: never[]) => unknown) =>
      function (this: Socket, ...args: never[]) {
        if (this.remotePort === smsc.port) writes += 1;
        return original.apply(this, args);
      };
    const proto = Socket.prototype as unknown as Record<'_write' | '_writev', (...args: never[]) => unknown>;
    const { _write, _writev } = proto;
    vi.spyOn(proto, '_write').mockImplementation(count(_write));
    vi.spyOn(proto, '_writev').mockImplementation(count(_writev));
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await closePlugins();
    await smsc.close();
  });

  it(`answers ${N} receipts that arrive in one read with one write`, async () => {
    const link = await bound();
    writes = 0;
    link.socket.write(receipts());
    await eventually(() => deliverResps(link).length === N);
    expect(deliverResps(link).map((f) => [f.sequence, f.status])).toEqual(
      Array.from({ length: N }, (_, i) => [i + 1, 0]),
    );
    expect(receiptsOf(ctx)).toHaveLength(N);
    expect(writes).toBe(1);
  });

  it('answers each receipt only after its publish resolved, those resolved together in one write', async () => {
    const held: { event: CarrierEvent; resolve(): void }[] = [];
    ctx.publish = (event) => new Promise<void>((resolve) => held.push({ event, resolve }));
    const link = await bound();
    writes = 0;
    link.socket.write(receipts());
    await eventually(() => held.length === N);
    // Every publish is still pending: nothing may be acknowledged yet.
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toBe(0);

    const firstHalf = held.slice(0, N / 2);
    for (const h of firstHalf) h.resolve();
    await eventually(() => deliverResps(link).length === N / 2);
    expect(deliverResps(link).map((f) => f.sequence)).toEqual(firstHalf.map((_, i) => i + 1));
    expect(receiptsOf(ctx).map((r) => r.carrierMessageId)).toEqual(firstHalf.map((_, i) => `r${i + 1}`));
    expect(writes).toBe(1);

    for (const h of held.slice(N / 2)) h.resolve();
    await eventually(() => deliverResps(link).length === N);
    expect(deliverResps(link).every((f) => f.status === 0)).toBe(true);
    expect(writes).toBe(2);
  });
});
