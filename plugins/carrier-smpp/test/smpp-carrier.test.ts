import { carrierAnswerOf } from '@maskline/core';
import { describe, expect, it } from 'vitest';
import { testContext } from './support/context.js';
import { closeAfterEach, createPlugin, rejection, request, setup, startSmsc } from './support/harness.js';
import { recordingTracer } from './support/recording-tracer.js';

closeAfterEach();

describe('SMPP carrier: submit and events', () => {
  it('binds as a transceiver and returns the message_id of submit_sm_resp', async () => {
    const { smsc, plugin } = await setup();
    expect(plugin.health()).toEqual({ status: 'up', detail: '1/1 binds up' });
    const bind = smsc.commands('bind_transceiver')[0]!;
    expect(bind).toMatchObject({ system_id: 'maskline', password: 'secret', interface_version: 0x34 });

    const result = await plugin.submit(request);
    expect(result).toEqual({ carrierMessageId: 'msg-1', partIds: ['msg-1'], segments: 1 });
    const submit = smsc.commands('submit_sm')[0]!;
    expect(submit).toMatchObject({
      source_addr: '15550001111',
      source_addr_ton: 1,
      source_addr_npi: 1,
      destination_addr: '447700900123',
      dest_addr_ton: 1,
      dest_addr_npi: 1,
      registered_delivery: 1,
      data_coding: 0,
    });
  });

  it('declares its in-flight limit: the window on every bind that transmits', () => {
    const ctx = testContext();
    expect(createPlugin(ctx, 1, { windowSize: 7, binds: 3 }).inFlightLimit).toBe(21);
    const split = createPlugin(ctx, 1, { windowSize: 7, binds: 2, bindMode: 'transmitter-receiver' });
    expect(split.inFlightLimit).toBe(14);
  });

  it('uses TON 5 / NPI 0 for an alphanumeric sender', async () => {
    const { smsc, plugin } = await setup();
    await plugin.submit({ ...request, from: 'Maskline', requestReceipt: false });
    expect(smsc.commands('submit_sm')[0]).toMatchObject({
      source_addr: 'Maskline',
      source_addr_ton: 5,
      source_addr_npi: 0,
      registered_delivery: 0,
    });
  });

  it('publishes a receipt and answers deliver_sm only after publish resolves', async () => {
    const { smsc, ctx } = await setup();
    let release!: () => void;
    ctx.publish = () => new Promise<void>((resolve) => (release = resolve));
    let answered = false;
    const response = smsc
      .request('deliver_sm', {
        esm_class: 0x04,
        source_addr: '447700900123',
        destination_addr: '15550001111',
        short_message: Buffer.from(
          'id:msg-77 sub:001 dlvrd:001 submit date:2401021530 done date:2401021531 stat:DELIVRD err:000 text:',
        ),
      })
      .then((pdu) => {
        answered = true;
        return pdu;
      });
    await smsc.waitFor(() => release !== undefined);
    await new Promise((r) => setTimeout(r, 50));
    expect(answered).toBe(false);
    release();
    const pdu = await response;
    expect(pdu.command).toBe('deliver_sm_resp');
    expect(pdu.command_status).toBe(0);
    expect(ctx.published).toEqual([
      {
        type: 'receipt',
        carrierMessageId: 'msg-77',
        outcome: 'delivered',
        carrierStatus: 'DELIVRD',
        networkErrorCode: '000',
        doneAt: '2024-01-02T15:31:00.000Z',
      },
    ]);
  });

  it('answers ESME_RX_T_APPN (0x64) when the host does not accept the event', async () => {
    const { smsc, ctx } = await setup();
    ctx.publish = () => Promise.reject(new Error('storage down'));
    const pdu = await smsc.request('deliver_sm', {
      esm_class: 0x04,
      short_message: Buffer.from('id:msg-1 stat:DELIVRD'),
    });
    expect(pdu.command_status).toBe(0x64);
    expect(ctx.published).toEqual([]);
  });

  it('publishes an MO message as an inbound event', async () => {
    const { smsc, ctx } = await setup();
    const pdu = await smsc.request('deliver_sm', {
      source_addr_ton: 1,
      source_addr: '447700900123',
      dest_addr_ton: 1,
      destination_addr: '15550001111',
      data_coding: 0x08,
      short_message: Buffer.from('STOP 你好', 'utf16le').swap16(),
    });
    expect(pdu.command_status).toBe(0);
    expect(ctx.published).toHaveLength(1);
    expect(ctx.published[0]).toMatchObject({
      type: 'inbound',
      from: '+447700900123',
      to: '+15550001111',
      body: 'STOP 你好',
    });
  });

  it('acknowledges and drops a receipt without message id, or an SME acknowledgement', async () => {
    const { smsc, ctx } = await setup();
    for (const [esmClass, text] of [
      [0x04, 'stat:DELIVRD err:000'],
      [0x08, 'id:msg-1 stat:DELIVRD'],
    ] as const) {
      const pdu = await smsc.request('deliver_sm', { esm_class: esmClass, short_message: Buffer.from(text) });
      expect(pdu.command_status).toBe(0);
    }
    expect(ctx.published).toEqual([]);
  });

  it('validates before sending: a bad destination, sender or oversized body never reaches the SMSC', async () => {
    const { smsc, plugin } = await setup({}, { maxBodyOctets: 200 });
    const cases = [
      [{ to: '447700900123' }, 'carrier_invalid_destination'],
      [{ from: 'A sender far too long' }, 'carrier_rejected'],
      [{ body: 'ж'.repeat(101) }, 'carrier_rejected'], // 202 octets of UCS-2
    ] as const;
    for (const [override, code] of cases) {
      expect((await rejection(plugin.submit({ ...request, ...override }))).code).toBe(code);
    }
    expect(smsc.commands('submit_sm')).toHaveLength(0);
    expect((await plugin.submit({ ...request, body: 'ж'.repeat(100) })).segments).toBe(2);
  });

  it('sends one segment in short_message and, with longMessages payload, a longer body whole in message_payload', async () => {
    const { smsc, plugin } = await setup({}, { longMessages: 'payload' });
    const text = (pdu: unknown) => (pdu as { message: string } | undefined)?.message;
    expect((await plugin.submit({ ...request, body: 'a'.repeat(160) })).segments).toBe(1);
    expect((await plugin.submit({ ...request, body: 'b'.repeat(161) })).segments).toBe(2);
    const [single, long] = smsc.commands('submit_sm');
    expect(text(single?.short_message)).toBe('a'.repeat(160));
    expect(single?.message_payload).toBeUndefined();
    expect(text(long?.short_message)).toBe('');
    expect(text(long?.message_payload)).toBe('b'.repeat(161));
    expect(long?.data_coding).toBe(0);
  });

  it('asks for no receipt when registeredDelivery is off', async () => {
    const { smsc, plugin } = await setup({}, { registeredDelivery: false });
    await plugin.submit(request);
    expect(smsc.commands('submit_sm')[0]?.registered_delivery).toBe(0);
  });

  it('bounds the queue behind a full window, and an aborted queued submit is never sent', async () => {
    const { smsc, plugin } = await setup(
      { onSubmit: () => ({ delayMs: 100 }) },
      { windowSize: 1, maxQueuedSubmits: 1 },
    );
    const first = plugin.submit(request);
    const controller = new AbortController();
    const queued = plugin.submit(request, { signal: controller.signal });
    const refused = await rejection(plugin.submit(request));
    expect(refused.code).toBe('carrier_unavailable');
    controller.abort();
    expect((await rejection(queued)).code).toBe('carrier_timeout');
    expect((await first).carrierMessageId).toBe('msg-1');
    await new Promise((r) => setTimeout(r, 20));
    expect(smsc.commands('submit_sm')).toHaveLength(1);
  });

  it('keeps at most windowSize submits outstanding', async () => {
    const { smsc, plugin } = await setup({ onSubmit: () => ({ delayMs: 40 }) }, { windowSize: 2 });
    const results = await Promise.all(Array.from({ length: 6 }, () => plugin.submit(request)));
    expect(new Set(results.map((r) => r.carrierMessageId)).size).toBe(6);
    expect(smsc.commands('submit_sm')).toHaveLength(6);
    expect(smsc.maxOutstanding).toBe(2);
  });

  it('rejects with carrier_timeout when the SMSC does not answer in time', async () => {
    const { plugin } = await setup({ onSubmit: () => ({ silent: true }) }, { requestTimeoutMs: 100 });
    const error = await rejection(plugin.submit(request));
    expect(error.code).toBe('carrier_timeout');
  });

  it('maps ESME_RTHROTTLED to carrier_throttled with a retry delay once the resends are used up', async () => {
    const { plugin, smsc } = await setup(
      { onSubmit: () => ({ status: 0x58 }) },
      { throttleRetries: 2, throttlePauseMinMs: 1, throttlePauseMaxMs: 5 },
    );
    const error = await rejection(plugin.submit(request));
    expect(error.code).toBe('carrier_throttled');
    expect(error.retryAfterMs).toBe(1000);
    expect(carrierAnswerOf(error)).toEqual({ code: '0x00000058', name: 'ESME_RTHROTTLED' });
    expect(error.message).not.toContain('447700900123');
    expect(smsc.commands('submit_sm')).toHaveLength(3); // the first try and two resends
  });

  it('applies the carrier config status overrides: ESME_RSUBMITFAIL made permanent, a vendor status made throttling', async () => {
    const { plugin, smsc } = await setup(
      { onSubmit: (pdu) => ({ status: pdu.destination_addr === '447700900999' ? 0x4ab : 0x45 }) },
      {
        submitStatusOverrides: { ESME_RSUBMITFAIL: 'rejected', '0x4ab': 'throttled' },
        throttleRetries: 1,
        throttlePauseMinMs: 1,
        throttlePauseMaxMs: 2,
      },
    );
    const failed = await rejection(plugin.submit(request));
    expect(failed.code).toBe('carrier_rejected');
    expect(failed.retry).toBe('permanent');
    expect(carrierAnswerOf(failed)).toEqual({ code: '0x00000045', name: 'ESME_RSUBMITFAIL' });
    expect(smsc.commands('submit_sm')).toHaveLength(1);

    const vendor = await rejection(plugin.submit({ ...request, to: '+447700900999' }));
    expect(vendor.code).toBe('carrier_throttled');
    expect(carrierAnswerOf(vendor)).toEqual({ code: '0x000004AB' });
    expect(smsc.commands('submit_sm')).toHaveLength(3); // resent once, like ESME_RTHROTTLED
  });

  it('keeps ESME_RSUBMITFAIL temporary without an override, with the carrier answer attached', async () => {
    const { plugin } = await setup({ onSubmit: () => ({ status: 0x45 }) });
    const error = await rejection(plugin.submit(request));
    expect(error.code).toBe('carrier_error');
    expect(error.retry).not.toBe('permanent');
    expect(carrierAnswerOf(error)).toEqual({ code: '0x00000045', name: 'ESME_RSUBMITFAIL' });
  });

  it('honours an aborted signal', async () => {
    const { plugin } = await setup({ onSubmit: () => ({ silent: true }) });
    const controller = new AbortController();
    const pending = plugin.submit(request, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    const error = await rejection(pending);
    expect(error.code).toBe('carrier_timeout');
    expect(error.message).toContain('aborted');
  });

  it('wraps submit in an smpp submit_sm span with ids only, never numbers or body', async () => {
    const smsc = await startSmsc({
      onSubmit: (pdu) => (pdu.destination_addr === '447700900999' ? { status: 0x0b } : {}),
    });
    const { tracer, spans } = recordingTracer();
    const ctx = { ...testContext(), tracer };
    const plugin = createPlugin(ctx, smsc.port);
    await plugin.start();
    await plugin.submit(request);
    expect((await rejection(plugin.submit({ ...request, to: '+447700900999' }))).code).toBe(
      'carrier_invalid_destination',
    );
    expect(spans).toHaveLength(2);
    expect(spans[0]).toMatchObject({
      name: 'smpp submit_sm',
      ended: true,
      attributes: {
        'maskline.carrier': 'test',
        'maskline.message.id': 'msg_test_1',
        'smpp.command_status': 0,
        'smpp.segments': 1,
      },
    });
    expect(spans[1]).toMatchObject({
      ended: true,
      status: { code: 2 },
      attributes: { 'smpp.command_status': 0x0b, 'maskline.error.code': 'carrier_invalid_destination' },
    });
    const dump = JSON.stringify(spans);
    for (const secret of ['447700900', '15550001111', 'Your code']) expect(dump).not.toContain(secret);
  });
});
