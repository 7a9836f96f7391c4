import { type SmscSimulator, startSmscSimulator } from '@maskline/smsc-sim';
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
import { eventually } from './support/wait.js';

/**
 * The plugin against the project's SMSC simulator (tools/smsc-sim): a separate SMPP
 * implementation with its own text codec, receipts with TLVs, MO injection and faults.
 */
describe('SMPP carrier against @maskline/smsc-sim', () => {
  let sim: SmscSimulator;
  let ctx: TestContext;

  const startPlugin = (overrides: SmppTestOverrides = {}) => startOn(ctx, sim.smppPort, overrides);
  const receipts = () => receiptsOf(ctx);
  const inbound = () => inboundOf(ctx);

  beforeEach(async () => {
    sim = await startSmscSimulator({
      smppPort: 0,
      controlPort: null,
      systemId: 'maskline',
      password: 'secret',
      receiptRetryMs: 50,
    });
    ctx = testContext();
  });
  afterEach(async () => {
    await closePlugins();
    await sim.close();
  });

  it('binds, submits, and publishes the receipt the SMSC sends back', async () => {
    const plugin = await startPlugin();
    expect(sim.stats().binds.transceiver).toBe(1);
    const result = await plugin.submit(request);
    expect(result.carrierMessageId).toMatch(/^[0-9a-f]+$/);
    expect(result).toEqual({
      carrierMessageId: result.carrierMessageId,
      partIds: [result.carrierMessageId],
      segments: 1,
    });

    await eventually(() => receipts().length === 1);
    const [receipt] = receipts();
    expect(receipt).toMatchObject({
      carrierMessageId: result.carrierMessageId,
      outcome: 'delivered',
      carrierStatus: 'DELIVRD',
      networkErrorCode: '000',
    });
    expect(receipt?.doneAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\.000Z$/);
    await eventually(() => sim.stats().receiptsAcknowledged === 1);

    const [recorded] = sim.messages();
    expect(recorded).toMatchObject({
      source: '15550001111',
      sourceTon: 1,
      sourceNpi: 1,
      destination: '447700900123',
      destinationTon: 1,
      destinationNpi: 1,
      text: request.body,
      dataCoding: 0,
      registeredDelivery: 1,
      viaPayload: false,
    });
  });

  it('maps the simulated network outcome (UNDELIV) onto the receipt', async () => {
    sim.setRules([{ destinationSuffix: '0123', stat: 'UNDELIV', err: '034' }]);
    const plugin = await startPlugin();
    const result = await plugin.submit(request);
    await eventually(() => receipts().length === 1);
    expect(receipts()[0]).toMatchObject({
      carrierMessageId: result.carrierMessageId,
      outcome: 'undeliverable',
      carrierStatus: 'UNDELIV',
      networkErrorCode: '034',
    });
  });

  it('asks for no receipt when the request does not want one', async () => {
    const plugin = await startPlugin();
    await plugin.submit({ ...request, requestReceipt: false });
    expect(sim.messages()[0]?.registeredDelivery).toBe(0);
    expect(sim.stats().receiptsSent).toBe(0);
  });

  it('delivers text the simulator decodes with its own codec: GSM specials, Chinese, long bodies', async () => {
    const plugin = await startPlugin({ longMessages: 'payload' });
    const gsm = 'Price: 5€ {x} [y] ~ \\ ^ | @ $ é';
    const chinese = '【京东】您的验证码5026,该验证码5分钟内有效';
    const long = `${chinese} `.repeat(4); // 100 UCS-2 units: 200 octets, message_payload
    for (const body of [gsm, chinese, long]) await plugin.submit({ ...request, body });
    const [a, b, c] = sim.messages();
    expect(a).toMatchObject({ text: gsm, dataCoding: 0x00, viaPayload: false });
    expect(b).toMatchObject({ text: chinese, dataCoding: 0x08, viaPayload: false });
    expect(c).toMatchObject({ text: long, dataCoding: 0x08, viaPayload: true });
  });

  it('publishes an MO message and acknowledges it only then', async () => {
    await startPlugin();
    const status = await sim.injectMo({ from: '+447700900123', to: '+15550001111', text: 'STOP 你好 €' });
    expect(status).toBe(0);
    expect(inbound()).toEqual([
      {
        type: 'inbound',
        from: '+447700900123',
        to: '+15550001111',
        body: 'STOP 你好 €',
        receivedAt: expect.stringMatching(/Z$/),
      },
    ]);
  });

  it('reads a long MO from message_payload', async () => {
    await startPlugin();
    const text = 'x'.repeat(300);
    expect(await sim.injectMo({ from: '+447700900123', to: '+15550001111', text })).toBe(0);
    expect(inbound()[0]?.body).toBe(text);
  });

  it('answers ESME_RX_T_APPN when publish rejects, and takes the redelivered receipt', async () => {
    const plugin = await startPlugin();
    let refusals = 1;
    ctx.publish = async () => {
      if (refusals-- > 0) throw new Error('storage down');
    };
    expect(await sim.injectMo({ from: '+447700900123', to: '+15550001111', text: 'hi' })).toBe(0x64);
    expect(inbound()).toEqual([]);

    refusals = 1; // the first receipt delivery is refused too; the simulator redelivers it
    const result = await plugin.submit(request);
    await eventually(() => receipts().length === 1);
    expect(receipts()[0]?.carrierMessageId).toBe(result.carrierMessageId);
    await eventually(() => sim.stats().receiptsAcknowledged === 1);
    expect(sim.stats().receiptsRefused).toBe(1);
  });

  it('slows down on ESME_RTHROTTLED and ESME_RMSGQFUL and resends the same submit: nothing lost', async () => {
    const plugin = await startPlugin({ throttlePauseMinMs: 1, throttlePauseMaxMs: 10 });
    sim.setFaults({ throttle: 2, queueFull: 1 });
    const result = await plugin.submit(request);
    expect(sim.stats()).toMatchObject({ throttled: 2, queueFull: 1, submitsAccepted: 1 });
    expect(sim.messages().map((m) => m.messageId)).toEqual([result.carrierMessageId]);
  });

  it('maps ESME_RTHROTTLED and ESME_RMSGQFUL to carrier_throttled when resends are off, then recovers', async () => {
    const plugin = await startPlugin({ throttleRetries: 0 });
    sim.setFaults({ throttle: 1, queueFull: 1 });
    for (let i = 0; i < 2; i++) {
      const error = await rejection(plugin.submit(request));
      expect(error.code).toBe('carrier_throttled');
      expect(error.retryAfterMs).toBe(1000);
    }
    expect((await plugin.submit(request)).carrierMessageId).toMatch(/^[0-9a-f]+$/);
  });

  it('maps ESME_RINVDSTADR to carrier_invalid_destination (permanent)', async () => {
    const plugin = await startPlugin();
    sim.setFaults({ rejectSubmits: { status: 0x0b, count: 1 } });
    const error = await rejection(plugin.submit(request));
    expect(error.code).toBe('carrier_invalid_destination');
    expect(error.retry).toBe('permanent');
    expect(error.message).toContain('ESME_RINVDSTADR');
  });

  it('times out a submit the SMSC never answers, and the window slot is given back', async () => {
    const plugin = await startPlugin({ requestTimeoutMs: 300, windowSize: 1 });
    sim.setFaults({ dropResponses: 1 });
    expect((await rejection(plugin.submit(request))).code).toBe('carrier_timeout');
    expect((await plugin.submit(request)).carrierMessageId).toMatch(/^[0-9a-f]+$/);
  });

  it('rejects in-flight submits with carrier_unavailable when the SMSC drops the link, then rebinds', async () => {
    const plugin = await startPlugin();
    sim.setFaults({ disconnectAfter: 1 });
    expect((await rejection(plugin.submit(request))).code).toBe('carrier_unavailable');
    await eventually(() => plugin.health().status === 'up' && sim.stats().binds.transceiver === 1);
    expect((await plugin.submit(request)).carrierMessageId).toMatch(/^[0-9a-f]+$/);
  });

  it('takes the receipts the simulator held while the link was down, flushed right behind bind_resp', async () => {
    await sim.close();
    sim = await startSmscSimulator({
      smppPort: 0,
      controlPort: null,
      systemId: 'maskline',
      password: 'secret',
      receiptDelayMs: 50,
      receiptRetryMs: 50,
    });
    const plugin = await startPlugin({ reconnectMinMs: 400, reconnectMaxMs: 400 });
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await plugin.submit(request)).carrierMessageId);
    sim.setFaults({ disconnectAfter: 1 });
    expect((await rejection(plugin.submit(request))).code).toBe('carrier_unavailable');
    // Due while no bind is up: the simulator keeps them and sends them as soon as one binds.
    await eventually(() => sim.stats().receiptsPending === 3);
    await eventually(() => sim.stats().receiptsAcknowledged === 3, 3000);
    expect(sim.stats().receiptsRefused).toBe(0); // none answered ESME_RINVBNDSTS
    expect(receipts().map((r) => r.carrierMessageId)).toEqual(ids);
  });

  it('rejects start() naming the bind status on wrong credentials', async () => {
    const wrongPassword = await rejection(startPlugin({ password: 'nope' }));
    expect(wrongPassword.code).toBe('carrier_unavailable');
    expect(wrongPassword.message).toContain('ESME_RINVPASWD');
    const wrongSystemId = await rejection(startPlugin({ systemId: 'intruder' }));
    expect(wrongSystemId.message).toContain('ESME_RINVSYSID');
    expect(sim.stats().binds.transceiver).toBe(0);
  });

  it('close() unbinds: the simulator sees the bind go away', async () => {
    const plugin = await startPlugin({ binds: 2 });
    expect(sim.stats().binds.transceiver).toBe(2);
    await plugin.close();
    await eventually(() => sim.stats().binds.transceiver === 0);
    expect(plugin.health()).toEqual({ status: 'down', detail: 'closed' });
  });
});
