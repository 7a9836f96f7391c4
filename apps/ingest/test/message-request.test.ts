import { MasklineError } from '@maskline/core';
import { describe, expect, it } from 'vitest';
import { parseIdempotencyKey, parseSendMessageRequest } from '../src/messages/message-request.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof MasklineError ? error.code : 'not-a-maskline-error';
  }
  return undefined;
}

describe('parseSendMessageRequest', () => {
  const valid = { to: '+447911123456', from: 'Maskline', body: 'hi' };

  it('accepts E.164 and alphanumeric senders', () => {
    expect(parseSendMessageRequest(valid, 100)).toEqual(valid);
    expect(parseSendMessageRequest({ ...valid, from: '+8613812345678' }, 100).from).toBe('+8613812345678');
  });

  it('takes an optional statusCallback string (checked against endpoints later)', () => {
    const url = 'https://hooks.example.com/status/1';
    expect(parseSendMessageRequest({ ...valid, statusCallback: url }, 100)).toEqual({
      ...valid,
      statusCallback: url,
    });
    expect(parseSendMessageRequest({ ...valid, statusCallback: null }, 100)).toEqual(valid);
    expect(codeOf(() => parseSendMessageRequest({ ...valid, statusCallback: 42 }, 100))).toBe(
      'invalid_webhook_url',
    );
  });

  it.each([
    [{ ...valid, to: '07911123456' }, 'invalid_phone_number'],
    [{ ...valid, to: 447911123456 }, 'invalid_phone_number'],
    [{ ...valid, from: 'TwelveChars12' }, 'invalid_phone_number'],
    [{ ...valid, from: '12345' }, 'invalid_phone_number'],
    [{ ...valid, body: '' }, 'message_body_invalid'],
    [{ ...valid, body: 'x'.repeat(101) }, 'message_body_invalid'],
    [{ ...valid, body: 42 }, 'message_body_invalid'],
    [{ ...valid, extra: true }, 'invalid_request'],
    [[valid], 'invalid_request'],
    [null, 'invalid_request'],
  ])('rejects %j with %s', (input, code) => {
    expect(codeOf(() => parseSendMessageRequest(input, 100))).toBe(code);
  });

  it('counts characters, not UTF-16 units, against the limit', () => {
    expect(parseSendMessageRequest({ ...valid, body: '😀'.repeat(100) }, 100).body).toHaveLength(200);
  });

  it('never echoes the number it rejects', () => {
    try {
      parseSendMessageRequest({ ...valid, to: '+99912345' }, 100);
    } catch (error) {
      expect((error as Error).message).not.toContain('99912345');
      return;
    }
    throw new Error('expected a rejection');
  });
});

describe('parseIdempotencyKey', () => {
  it('accepts printable ASCII up to 255 chars and no header', () => {
    expect(parseIdempotencyKey(undefined)).toBeNull();
    expect(parseIdempotencyKey('order-42')).toBe('order-42');
  });
  it('rejects empty, too long, spaces and arrays', () => {
    for (const bad of ['', 'x'.repeat(256), 'has space', ['a', 'b']]) {
      expect(codeOf(() => parseIdempotencyKey(bad))).toBe('invalid_request');
    }
  });
});

describe('parseSendMessageRequest: kind', () => {
  const valid = { to: '+447911123456', from: 'Maskline', body: 'hi' };

  it('takes otp, transactional and marketing; leaves it out when not given', () => {
    for (const kind of ['otp', 'transactional', 'marketing']) {
      expect(parseSendMessageRequest({ ...valid, kind }, 100).kind).toBe(kind);
    }
    expect(parseSendMessageRequest(valid, 100)).not.toHaveProperty('kind');
  });
  it('refuses masking_relay (set by the masking paths only) and unknown kinds', () => {
    for (const kind of ['masking_relay', 'spam', 3]) {
      expect(codeOf(() => parseSendMessageRequest({ ...valid, kind }, 100))).toBe('invalid_request');
    }
  });
});
