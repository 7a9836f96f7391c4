import { type SmscSimulator, type SmscSimulatorOptions, startSmscSimulator } from '@maskline/smsc-sim';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SmppTestOverrides, type TestContext, testContext } from './support/context.js';
import {
  closePlugins,
  inboundOf,
  receiptsOf,
  rejection,
  request,
  startPlugin as startOn,
} from './support/harness.js';
import { eventually, sleep } from './support/wait.js';

/** Binds, long messages, multipart receipts and MO against tools/smsc-sim. */
describe('SMPP carrier against @maskline/smsc-sim: binds and multipart', () => {
  let sim: SmscSimulator;
  let ctx: TestContext;
  const startSim = async (options: SmscSimulatorOptions = {}) => {
    await sim?.close();
    sim = await startSmscSimulator({
      controlPort: null,
      systemId: 'maskline',
      password: 'secret',
      receiptRetryMs: 20,
      ...options,
    });
  };
  const startPlugin = (overrides: SmppTestOverrides = {}) => startOn(ctx, sim.smppPort, overrides);
  const receipts = () => receiptsOf(ctx);
  const inbound = () => inboundOf(ctx);

  beforeEach(async () => {
    await startSim();
    ctx = testContext();
  });
  afterEach(async () => {
    await closePlugins();
    await sim.close();
  });

  describe('binds', () => {
    it('opens a transmitter + receiver pair per slot: submits on TX, receipts and MO on RX', async () => {
      const plugin = await startPlugin({ bindMode: 'transmitter-receiver', binds: 2 });
      await eventually(() => plugin.health().status === 'up');
      expect(plugin.health().detail).toBe('4/4 binds up');
      expect(sim.stats().binds).toEqual({ transceiver: 0, transmitter: 2, receiver: 2 });
      const results = await Promise.all([1, 2, 3, 4].map(() => plugin.submit(request)));
      await eventually(() => receipts().length === 4);
      expect(new Set(receipts().map((r) => r.carrierMessageId))).toEqual(
        new Set(results.map((r) => r.carrierMessageId)),
      );
      expect(await sim.injectMo({ from: '+447700900123', to: '+15550001111', text: 'hi' })).toBe(0);
      await eventually(() => inbound().length === 1);
    });

    it('names the SMPP command_status when a bind is refused, for each bind command', async () => {
      const tx = await rejection(startPlugin({ bindMode: 'transmitter-receiver', password: 'wrong' }));
      expect(tx.code).toBe('carrier_unavailable');
      expect(tx.message).toMatch(/bind_(transmitter|receiver) refused: .*ESME_RINVPASWD \(0x0000000E\)/);
      expect(tx.details).toMatchObject({ smppCommandStatus: 0x0e, smppCommandStatusName: 'ESME_RINVPASWD' });
      const trx = await rejection(startPlugin({ systemId: 'intruder' }));
      expect(trx.message).toContain('bind_transceiver refused: bind_transceiver_resp ESME_RINVSYSID');
      expect(trx.message).not.toContain('secret');
    });

    it('keeps submitting on the transmitter while throttled, slowing its window down', async () => {
      const plugin = await startPlugin({ windowSize: 8, throttlePauseMinMs: 1, throttlePauseMaxMs: 5 });
      sim.setFaults({ throttleRatio: 0.3 });
      const results = await Promise.all(Array.from({ length: 40 }, () => plugin.submit(request)));
      sim.setFaults({});
      expect(new Set(results.map((r) => r.carrierMessageId)).size).toBe(40);
      expect(sim.stats().submitsAccepted).toBe(40);
      expect(sim.stats().throttled).toBeGreaterThan(0);
    });
  });

  describe('long messages', () => {
    const gsmLong = `${'The quick brown fox jumps over the lazy dog € [x] '.repeat(7)}end`; // > 153 septets
    const chineseLong = '【京东】您的验证码5026,该验证码5分钟内有效'.repeat(4); // 96 units

    it.each(['udh8', 'udh16', 'sar'] as const)(
      'splits per carrier config (%s): every part recorded, joined byte-exact, partIds in order',
      async (longMessages) => {
        const plugin = await startPlugin({ longMessages });
        for (const body of [gsmLong, chineseLong]) {
          const result = await plugin.submit({ ...request, body, requestReceipt: false });
          expect(result.partIds.length).toBeGreaterThan(1);
          expect(result.segments).toBe(result.partIds.length);
          expect(result.carrierMessageId).toBe(result.partIds[0]);
        }
        const parts = sim.messages();
        expect(new Set(parts.map((p) => p.part?.scheme))).toEqual(new Set([longMessages]));
        const [gsm, chinese] = sim.messages(undefined, { assemble: true });
        expect(gsm).toMatchObject({ text: gsmLong, complete: true, dataCoding: 0 });
        expect(chinese).toMatchObject({ text: chineseLong, complete: true, dataCoding: 8 });
        expect(chinese!.bodyHex).toBe(Buffer.from(chineseLong, 'utf16le').swap16().toString('hex'));
        expect(gsm!.partIds).toEqual(parts.filter((p) => p.dataCoding === 0).map((p) => p.messageId));
      },
    );

    it('gives each message its own reference', async () => {
      const plugin = await startPlugin({ longMessages: 'udh8' });
      await plugin.submit({ ...request, body: gsmLong });
      await plugin.submit({ ...request, body: gsmLong });
      const refs = new Set(sim.messages().map((m) => m.part?.ref));
      expect(refs.size).toBe(2);
      expect(sim.messages(undefined, { assemble: true })).toHaveLength(2);
    });

    it('publishes a receipt for each part under its own carrier id', async () => {
      const plugin = await startPlugin();
      const result = await plugin.submit({ ...request, body: gsmLong });
      await eventually(() => receipts().length === result.partIds.length);
      expect(
        receipts()
          .map((r) => r.carrierMessageId)
          .sort(),
      ).toEqual([...result.partIds].sort());
      expect(receipts().every((r) => r.outcome === 'delivered')).toBe(true);
    });

    it('publishes the one receipt of a carrier that confirms the last part only', async () => {
      await startSim({ receiptParts: 'last' });
      const plugin = await startPlugin();
      const result = await plugin.submit({ ...request, body: gsmLong });
      await eventually(() => receipts().length === 1);
      await sleep(50);
      expect(receipts().map((r) => r.carrierMessageId)).toEqual([result.partIds.at(-1)]);
    });
  });

  describe('multipart MO', () => {
    const from = '+447700900123';
    const to = '+15550001111';

    it.each(['udh8', 'udh16', 'sar'] as const)(
      'reassembles %s parts (cut inside escapes and surrogate pairs) into one inbound event',
      async (split) => {
        await startPlugin();
        const gsm = '{€}'.repeat(60); // 360 septets, cut every 153 octets: an escape straddles
        const ucs2 = '😀ж'.repeat(50); // 150 units, cut every 134 octets: inside a surrogate pair
        expect(await sim.injectMo({ from, to, text: gsm, split })).toBe(0);
        expect(await sim.injectMo({ from, to, text: ucs2, split, partOctets: 133 })).toBe(0);
        await eventually(() => inbound().length === 2);
        expect(inbound().map((e) => e.body)).toEqual([gsm, ucs2]);
        expect(inbound()[0]).toMatchObject({ from, to });
      },
    );

    it('reassembles parts that arrive out of order and over different binds', async () => {
      await startPlugin({ binds: 3 });
      const text = 'p'.repeat(400);
      for (const skip of [
        [1, 2],
        [1, 3],
        [2, 3],
      ]) {
        await sim.injectMo({ from, to, text, split: 'udh16', ref: 0x4242, skipParts: skip });
      }
      await eventually(() => inbound().length === 1);
      expect(inbound()[0]?.body).toBe(text);
      expect(sim.stats().moAcknowledged).toBe(3);
    });

    it('publishes what arrived, gaps marked, when parts are missing at the timeout', async () => {
      await startPlugin({ moReassemblyTimeoutMs: 100 });
      const text = `${'a'.repeat(153)}${'b'.repeat(153)}${'c'.repeat(10)}`;
      expect(await sim.injectMo({ from, to, text, split: 'udh8', skipParts: [2] })).toBe(0);
      await sleep(30);
      expect(inbound()).toEqual([]); // held, acknowledged
      await eventually(() => inbound().length === 1);
      expect(inbound()[0]?.body).toBe(`${'a'.repeat(153)}[…]${'c'.repeat(10)}`);
    });

    it('drops an incomplete message at the timeout when configured to', async () => {
      await startPlugin({ moReassemblyTimeoutMs: 50, moIncomplete: 'drop' });
      await sim.injectMo({ from, to, text: 'q'.repeat(400), split: 'sar', skipParts: [3] });
      await sleep(150);
      expect(inbound()).toEqual([]);
    });

    it('acknowledges the completing part only after publish; a refusal keeps the other parts held', async () => {
      await startPlugin();
      const text = 'r'.repeat(300);
      let refuse = true;
      ctx.publish = async () => {
        if (refuse) throw new Error('storage down');
      };
      expect(await sim.injectMo({ from, to, text, split: 'udh8', ref: 7, skipParts: [2] })).toBe(0);
      // The last part completes the message; publishing fails → ESME_RX_T_APPN.
      expect(await sim.injectMo({ from, to, text, split: 'udh8', ref: 7, skipParts: [1] })).toBe(0x64);
      refuse = false;
      // The SMSC redelivers only that part: the held first part completes it again.
      expect(await sim.injectMo({ from, to, text, split: 'udh8', ref: 7, skipParts: [1] })).toBe(0);
      expect(inbound().map((e) => e.body)).toEqual([text]);
      // A late repeat of a part of the completed message is acknowledged and dropped.
      expect(await sim.injectMo({ from, to, text, split: 'udh8', ref: 7, skipParts: [2] })).toBe(0);
      await sleep(30);
      expect(inbound()).toHaveLength(1);
    });

    it('publishes held parts by the timeout policy on close()', async () => {
      const plugin = await startPlugin();
      await sim.injectMo({ from, to, text: 's'.repeat(200), split: 'udh8', skipParts: [2] });
      await plugin.close();
      expect(inbound().map((e) => e.body)).toEqual([`${'s'.repeat(153)}[…]`]);
    });
  });
});
