import { createHmac } from 'node:crypto';
import { type CarrierCallbackRequest, type MasklineError, silentLogger } from '@maskline/core';
import { describe, expect, it } from 'vitest';
import { classOfStatus, httpJsonCarrierPlugin, resolvePointer } from '../src/index.js';
import { jsonAnswer, recordingContext } from './support/plugin-context.js';

const base = {
  request: {
    url: 'https://sms.example/v1/messages?ref={{messageId}}',
    headers: { 'x-client': 'maskline' },
    apiKeyHeader: { name: 'authorization', prefix: 'Bearer ' },
    body: {
      to: '{{to}}',
      sender: '{{from}}',
      text: '{{body}}',
      hook: '{{statusCallbackUrl}}',
      tags: ['{{tenantId}}'],
    },
  },
  response: { idPointer: '/data/0/id', errorCodePointer: '/error/code' },
  receipts: {
    idPointer: '/message/id',
    statusPointer: '/message/state',
    errorCodePointer: '/message/error',
    outcomes: { DELIVERED: 'delivered', FAILED: 'undeliverable', EXPIRED: 'expired' },
    signature: { header: 'X-Signature', prefix: 'sha256=' },
  },
};
const config = httpJsonCarrierPlugin.configSchema.parse(base);
const request = {
  messageId: 'm/1',
  tenantId: 't-1',
  to: '+447700900123',
  from: 'Maskline',
  body: 'He said "hi" {{to}} \\ 😀',
  requestReceipt: true,
};

describe('http-json config', () => {
  it('refuses unknown placeholders and bad pointers', () => {
    const unknown = httpJsonCarrierPlugin.configSchema.safeParse({
      ...base,
      request: { ...base.request, body: { text: '{{bodyy}}' } },
    });
    expect(unknown.success).toBe(false);
    expect(JSON.stringify(unknown.error?.issues)).toContain('bodyy');
    const pointer = httpJsonCarrierPlugin.configSchema.safeParse({
      ...base,
      response: { idPointer: 'data.id' },
    });
    expect(pointer.success).toBe(false);
  });

  it('resolves JSON pointers (RFC 6901)', () => {
    const doc = { a: [{ 'b/c': 1, 'd~e': 'x' }] };
    expect(resolvePointer(doc, '/a/0/b~1c')).toBe(1);
    expect(resolvePointer(doc, '/a/0/d~0e')).toBe('x');
    expect(resolvePointer(doc, '/a/1')).toBeUndefined();
    expect(resolvePointer(doc, '/a/x')).toBeUndefined();
    expect(resolvePointer(doc, '')).toBe(doc);
  });
});

describe('http-json sends', () => {
  it('fills the template, adds the api key header, and reads the id by pointer', async () => {
    const { ctx, requests } = recordingContext(() => jsonAnswer(202, { data: [{ id: 42 }] }), {
      secrets: { apiKey: 'k-123' },
      callbackUrl: 'https://hooks.example/carriers/p',
    });
    const result = await httpJsonCarrierPlugin.create(ctx, config).submit(request);
    expect(result).toEqual({ carrierMessageId: '42', partIds: ['42'], segments: 1 });
    const sent = requests[0]!;
    expect(sent.url).toBe('https://sms.example/v1/messages?ref=m%2F1');
    expect(sent.headers).toMatchObject({ authorization: 'Bearer k-123', 'x-client': 'maskline' });
    // The body's own braces and quotes stay text: a value is never re-read as a placeholder.
    expect(JSON.parse(String(sent.body))).toEqual({
      to: request.to,
      sender: 'Maskline',
      text: request.body,
      hook: 'https://hooks.example/carriers/p/status',
      tags: ['t-1'],
    });
  });

  it("reports the provider's segment count by pointer, else the count of the standard split", async () => {
    const long = { ...request, body: 'a'.repeat(161) };
    const counted = httpJsonCarrierPlugin.configSchema.parse({
      ...base,
      response: { ...base.response, segmentsPointer: '/data/0/parts' },
    });
    const answered = recordingContext(() => jsonAnswer(202, { data: [{ id: 'x', parts: 3 }] }));
    expect((await httpJsonCarrierPlugin.create(answered.ctx, counted).submit(long)).segments).toBe(3);
    const silent = recordingContext(() => jsonAnswer(202, { data: [{ id: 'x' }] }));
    expect((await httpJsonCarrierPlugin.create(silent.ctx, counted).submit(long)).segments).toBe(2);
    expect((await httpJsonCarrierPlugin.create(silent.ctx, config).submit(long)).segments).toBe(2);
  });

  it('maps status ranges to error codes with the provider code and never its text', async () => {
    const failure = async (status: number, headers: Record<string, string> = {}) => {
      const { ctx } = recordingContext(() =>
        jsonAnswer(status, { error: { code: 'E17', message: `bad ${request.to}` } }, headers),
      );
      return (await httpJsonCarrierPlugin
        .create(ctx, config)
        .submit(request)
        .catch((e: unknown) => e)) as MasklineError;
    };
    const throttled = await failure(429, { 'retry-after': '2' });
    expect([throttled.code, throttled.retryAfterMs]).toEqual(['carrier_throttled', 2000]);
    const rejected = await failure(422);
    expect(rejected.code).toBe('carrier_rejected');
    expect(rejected.details).toMatchObject({ carrierStatusCode: 'E17', httpStatus: 422 });
    expect(JSON.stringify([rejected.message, rejected.details])).not.toContain(request.to);
    expect((await failure(502)).code).toBe('carrier_error');
    const custom = httpJsonCarrierPlugin.configSchema.parse({
      ...base,
      response: { statusClasses: [{ from: 404, to: 404, class: 'invalid_destination' }] },
    });
    expect(classOfStatus(custom, 404)).toBe('invalid_destination');
    expect(classOfStatus(custom, 400)).toBe('temporary');
    const { ctx } = recordingContext(() => jsonAnswer(200, { data: [] }));
    const noId = await httpJsonCarrierPlugin
      .create(ctx, config)
      .submit(request)
      .catch((e: unknown) => e);
    expect((noId as MasklineError).code).toBe('carrier_error');
  });
});

describe('http-json receipts', () => {
  const routes = httpJsonCarrierPlugin.callbacks!(
    { carrierId: 'p', logger: silentLogger, secrets: { signingKey: 'sk' } },
    config,
  );
  const receipt = (body: string, signature?: string): CarrierCallbackRequest => ({
    method: 'POST',
    url: 'https://hooks.example/carriers/p/status',
    path: '/status',
    headers: signature === undefined ? {} : { 'x-signature': signature },
    rawBody: Buffer.from(body),
  });
  const body = JSON.stringify({ message: { id: 'abc', state: 'FAILED', error: 'E5' } });

  it('verifies HMAC-SHA256 of the raw body', async () => {
    const signed = `sha256=${createHmac('sha256', 'sk').update(body).digest('hex')}`;
    expect(routes.map((r) => r.path)).toEqual(['/status']);
    expect((await routes[0]!.verify(receipt(body, signed))).valid).toBe(true);
    expect((await routes[0]!.verify(receipt(`${body} `, signed))).valid).toBe(false);
    expect((await routes[0]!.verify(receipt(body))).valid).toBe(false);
    expect((await routes[0]!.verify(receipt(body, signed.replace('sha256=', '')))).valid).toBe(false);
  });

  it('maps id, status and error by pointer and the status word by table', () => {
    expect(routes[0]!.parse(receipt(body))).toEqual([
      {
        type: 'receipt',
        carrierMessageId: 'abc',
        outcome: 'undeliverable',
        carrierStatus: 'FAILED',
        networkErrorCode: 'E5',
      },
    ]);
    const other = JSON.stringify({ message: { id: 'abc', state: 'QUEUED' } });
    expect(routes[0]!.parse(receipt(other))[0]).toMatchObject({ outcome: 'unknown' });
    expect(() => routes[0]!.parse(receipt('{"message":{}}'))).toThrow();
    expect(() => routes[0]!.parse(receipt('not json'))).toThrow();
  });

  it('stops the boot when a signature is configured without its secret', () => {
    expect(() =>
      httpJsonCarrierPlugin.callbacks!({ carrierId: 'p', logger: silentLogger, secrets: {} }, config),
    ).toThrow(/signingKey/);
  });
});
