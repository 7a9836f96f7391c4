import { MasklineError } from '@maskline/core';
import { describe, expect, it } from 'vitest';
import {
  EMPTY_TWIML,
  parseInbound,
  parseStatus,
  twilioCarrierPlugin,
  twilioFailureClass,
} from '../src/index.js';
import { jsonAnswer, recordingContext } from './support/plugin-context.js';

const SID = `AC${'1'.repeat(32)}`;
const config = twilioCarrierPlugin.configSchema.parse({ accountSid: SID, baseUrl: 'https://api.example/' });
const request = {
  messageId: 'm-1',
  tenantId: 't-1',
  to: '+447700900123',
  from: '+447700900456',
  body: 'Grüße & {code} 123456',
  requestReceipt: true,
};

async function failureOf(status: number, body: unknown, headers: Record<string, string> = {}) {
  const { ctx } = recordingContext(() => jsonAnswer(status, body, headers), {
    secrets: { authToken: 'tok' },
  });
  const error = await twilioCarrierPlugin
    .create(ctx, config)
    .submit(request)
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(MasklineError);
  return error as MasklineError;
}

describe('twilio sends', () => {
  it('posts the form with Basic auth and the status callback, and answers the sid', async () => {
    const { ctx, requests } = recordingContext(() => jsonAnswer(201, { sid: 'SM123', num_segments: '2' }), {
      secrets: { authToken: 'tok' },
      callbackUrl: 'https://hooks.example/carriers/tw',
    });
    const result = await twilioCarrierPlugin.create(ctx, config).submit(request);
    expect(result).toEqual({ carrierMessageId: 'SM123', partIds: ['SM123'], segments: 2 });
    const sent = requests[0]!;
    expect(sent.method).toBe('POST');
    expect(sent.url).toBe(`https://api.example/2010-04-01/Accounts/${SID}/Messages.json`);
    expect(sent.headers?.authorization).toBe(`Basic ${Buffer.from(`${SID}:tok`).toString('base64')}`);
    expect(sent.headers?.['content-type']).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(String(sent.body));
    expect(Object.fromEntries(form)).toEqual({
      To: request.to,
      From: request.from,
      Body: request.body,
      StatusCallback: 'https://hooks.example/carriers/tw/status',
    });
  });

  it('asks no status callback without a callback URL or when no receipt is wanted', async () => {
    const { ctx, requests } = recordingContext(() => jsonAnswer(201, { sid: 'SM1' }), {
      secrets: { authToken: 't' },
    });
    await twilioCarrierPlugin.create(ctx, config).submit(request);
    const withUrl = recordingContext(() => jsonAnswer(201, { sid: 'SM2' }), {
      callbackUrl: 'https://h.example/c',
    });
    await twilioCarrierPlugin.create(withUrl.ctx, config).submit({ ...request, requestReceipt: false });
    for (const r of [...requests, ...withUrl.requests]) {
      expect(new URLSearchParams(String(r.body)).has('StatusCallback')).toBe(false);
    }
  });

  it("maps errors by HTTP status and Twilio code, and never copies Twilio's message", async () => {
    const quoting = (code: number) => ({ code, message: `The 'To' number ${request.to} is not valid.` });
    const throttled = await failureOf(429, quoting(20429), { 'retry-after': '3' });
    expect(throttled.code).toBe('carrier_throttled');
    expect(throttled.retryAfterMs).toBe(3000);
    expect((await failureOf(400, quoting(20429))).code).toBe('carrier_throttled');
    expect((await failureOf(400, quoting(21211))).code).toBe('carrier_invalid_destination');
    expect((await failureOf(400, quoting(21610))).code).toBe('carrier_rejected');
    expect((await failureOf(401, quoting(20003))).code).toBe('carrier_rejected');
    expect((await failureOf(400, quoting(99999))).code).toBe('carrier_rejected');
    expect((await failureOf(503, 'oops')).code).toBe('carrier_error');
    const invalid = await failureOf(400, quoting(21211));
    expect(invalid.details).toMatchObject({ httpStatus: 400, carrierStatusCode: '21211' });
    expect(JSON.stringify({ m: invalid.message, d: invalid.details })).not.toContain(request.to);
    // A 2xx without a sid is a temporary fault, not a success.
    expect((await failureOf(201, { status: 'queued' })).code).toBe('carrier_error');
  });

  it('classes statuses without a known code', () => {
    expect(twilioFailureClass(429, undefined)).toBe('throttled');
    expect(twilioFailureClass(404, undefined)).toBe('rejected');
    expect(twilioFailureClass(500, undefined)).toBe('temporary');
    expect(twilioFailureClass(302, undefined)).toBe('temporary');
  });
});

describe('twilio callbacks', () => {
  it('maps MessageStatus to receipt outcomes', () => {
    const status = (s: string, extra: Record<string, string> = {}) =>
      parseStatus(new URLSearchParams({ MessageSid: 'SM9', MessageStatus: s, ...extra }));
    expect(status('delivered')).toEqual({
      type: 'receipt',
      carrierMessageId: 'SM9',
      outcome: 'delivered',
      carrierStatus: 'delivered',
    });
    expect(status('sent').outcome).toBe('enroute');
    expect(status('queued').outcome).toBe('enroute');
    expect(status('undelivered', { ErrorCode: '30003' })).toMatchObject({
      outcome: 'undeliverable',
      networkErrorCode: '30003',
    });
    expect(status('failed').outcome).toBe('rejected');
    expect(status('something-new').outcome).toBe('unknown');
    expect(() => parseStatus(new URLSearchParams({ MessageStatus: 'sent' }))).toThrow(/MessageSid/);
  });

  it('parses an inbound SMS and answers empty TwiML', () => {
    const event = parseInbound(
      new URLSearchParams({
        MessageSid: 'SM7',
        From: '+447700900111',
        To: '+447700900222',
        Body: 'hi there',
      }),
    );
    expect(event).toMatchObject({
      type: 'inbound',
      from: '+447700900111',
      to: '+447700900222',
      body: 'hi there',
      carrierMessageId: 'SM7',
    });
    const routes = twilioCarrierPlugin.callbacks!(
      {
        carrierId: 'tw',
        logger: recordingContext(() => jsonAnswer(200, {})).ctx.logger,
        secrets: { authToken: 'x' },
      },
      config,
    );
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /status', 'POST /inbound']);
    expect(routes[1]!.answer).toEqual({ status: 200, contentType: 'text/xml', body: EMPTY_TWIML });
    expect(routes[0]!.answer).toBeUndefined();
  });
});
