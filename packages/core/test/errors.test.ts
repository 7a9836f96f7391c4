import {
  DEFAULT_RETRY_AFTER_MS,
  ERROR_CATALOGUE,
  type ErrorCode,
  errorDefinition,
  isErrorCode,
  isMasklineError,
  MasklineError,
  type RetryClass,
  retryDecisionFor,
  toMasklineError,
} from '@maskline/core';
import { describe, expect, it } from 'vitest';

const CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];
const RETRY_CLASSES: readonly RetryClass[] = ['permanent', 'retry_after', 'transient'];

describe('error catalogue', () => {
  it('is not empty and has unique snake_case codes', () => {
    expect(CODES.length).toBeGreaterThan(20);
    for (const code of CODES) expect(code).toMatch(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/);
  });

  it.each(CODES)('%s has a 4xx/5xx status, a message and a retry class', (code) => {
    const def = errorDefinition(code);
    expect(Number.isInteger(def.status)).toBe(true);
    expect(def.status).toBeGreaterThanOrEqual(400);
    expect(def.status).toBeLessThanOrEqual(599);
    expect(typeof def.message).toBe('string');
    expect(def.message.trim().length).toBeGreaterThan(0);
    expect(RETRY_CLASSES).toContain(def.retry);
  });

  it('gives client errors (4xx) a permanent or retry_after class, never transient', () => {
    for (const code of CODES) {
      const def = errorDefinition(code);
      if (def.status < 500) expect(def.retry).not.toBe('transient');
    }
  });

  it('pins the codes other components depend on', () => {
    expect(ERROR_CATALOGUE.invalid_phone_number).toMatchObject({ status: 400, retry: 'permanent' });
    expect(ERROR_CATALOGUE.unauthorized).toMatchObject({ status: 401, retry: 'permanent' });
    expect(ERROR_CATALOGUE.idempotency_conflict).toMatchObject({ status: 409, retry: 'permanent' });
    expect(ERROR_CATALOGUE.rate_limited).toMatchObject({ status: 429, retry: 'retry_after' });
    expect(ERROR_CATALOGUE.carrier_throttled).toMatchObject({ retry: 'retry_after' });
    expect(ERROR_CATALOGUE.carrier_timeout).toMatchObject({ status: 504, retry: 'transient' });
    expect(ERROR_CATALOGUE.receipt_unmatched).toMatchObject({ retry: 'transient' });
    expect(ERROR_CATALOGUE.carrier_rejected).toMatchObject({ retry: 'permanent' });
  });

  it('recognizes catalogue codes only (own keys, not inherited ones)', () => {
    for (const code of CODES) expect(isErrorCode(code)).toBe(true);
    for (const value of ['toString', 'constructor', '__proto__', 'hasOwnProperty', '', 'ECONNREFUSED']) {
      expect(isErrorCode(value)).toBe(false);
    }
    for (const value of [null, undefined, 400, {}, ['invalid_request']])
      expect(isErrorCode(value)).toBe(false);
  });
});

describe('MasklineError', () => {
  it.each(CODES)('takes status, retry class and default message for %s from the catalogue', (code) => {
    const error = new MasklineError(code);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('MasklineError');
    expect(error.code).toBe(code);
    expect(error.status).toBe(ERROR_CATALOGUE[code].status);
    expect(error.retry).toBe(ERROR_CATALOGUE[code].retry);
    expect(error.message).toBe(ERROR_CATALOGUE[code].message);
    expect(isMasklineError(error)).toBe(true);
  });

  it('keeps an explicit message, cause, retryAfterMs and details', () => {
    const cause = new Error('socket closed');
    const error = new MasklineError('carrier_unavailable', {
      message: 'No bind is up.',
      cause,
      retryAfterMs: 250,
      details: { binds: 0 },
    });
    expect(error.message).toBe('No bind is up.');
    expect(error.cause).toBe(cause);
    expect(error.retryAfterMs).toBe(250);
    expect(error.details).toEqual({ binds: 0 });
  });

  it('has no cause property when none is given', () => {
    expect('cause' in new MasklineError('internal_error')).toBe(false);
  });

  it('serializes to {error:{code,message}} and nothing else', () => {
    const error = new MasklineError('message_not_found', {
      cause: new Error('row missing for +8613812345678'),
    });
    expect(error.toResponseBody()).toEqual({
      error: { code: 'message_not_found', message: 'No message with this id.' },
    });
    expect(JSON.stringify(error.toResponseBody())).not.toContain('8613812345678');
  });

  it('adds details to the response body only when given', () => {
    const error = new MasklineError('invalid_request', {
      message: 'body is required.',
      details: { field: 'body' },
    });
    expect(error.toResponseBody()).toEqual({
      error: { code: 'invalid_request', message: 'body is required.', details: { field: 'body' } },
    });
    expect(Object.keys(new MasklineError('invalid_request').toResponseBody().error)).toEqual([
      'code',
      'message',
    ]);
  });

  it('is not confused with plain errors or look-alikes', () => {
    expect(isMasklineError(new Error('x'))).toBe(false);
    expect(isMasklineError({ code: 'internal_error', status: 500 })).toBe(false);
    expect(isMasklineError(null)).toBe(false);
  });
});

describe('toMasklineError', () => {
  it('returns a MasklineError unchanged', () => {
    const original = new MasklineError('carrier_timeout', { retryAfterMs: 10 });
    expect(toMasklineError(original)).toBe(original);
    expect(toMasklineError(original, 'plugin_failure')).toBe(original);
  });

  it('keeps a catalogue code carried by an object (e.g. an error from another realm)', () => {
    const foreign = Object.assign(new Error('carrier said no'), { code: 'carrier_rejected' });
    const error = toMasklineError(foreign, 'plugin_failure');
    expect(error).toBeInstanceOf(MasklineError);
    expect(error.code).toBe('carrier_rejected');
    expect(error.status).toBe(502);
    expect(error.cause).toBe(foreign);

    const plain = { code: 'rate_limited' };
    const fromPlain = toMasklineError(plain);
    expect(fromPlain.code).toBe('rate_limited');
    expect(fromPlain.retry).toBe('retry_after');
    expect(fromPlain.cause).toBe(plain);
  });

  it('uses the catalogue message, never the cause message (which may hold private data)', () => {
    const error = toMasklineError(new Error('cannot reach +8613812345678'));
    expect(error.message).toBe(ERROR_CATALOGUE.internal_error.message);
    expect(error.message).not.toContain('8613812345678');
  });

  it.each([
    ['a plain Error', new Error('boom')],
    ['an error with a foreign code', Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })],
    ['an object with an inherited-name code', { code: 'toString' }],
    ['an object with a numeric code', { code: 400 }],
    ['a string', 'boom'],
    ['a number', 42],
    ['null', null],
    ['undefined', undefined],
  ])('wraps %s with the default fallback internal_error and keeps the cause', (_label, cause) => {
    const error = toMasklineError(cause);
    expect(error).toBeInstanceOf(MasklineError);
    expect(error.code).toBe('internal_error');
    expect(error.status).toBe(500);
    if (cause === undefined) expect(error.cause).toBeUndefined();
    else expect(error.cause).toBe(cause);
  });

  it('wraps unknown errors with the given fallback', () => {
    const cause = new TypeError('x is undefined');
    const error = toMasklineError(cause, 'plugin_failure');
    expect(error.code).toBe('plugin_failure');
    expect(error.cause).toBe(cause);
    expect(toMasklineError('timeout', 'carrier_unavailable').code).toBe('carrier_unavailable');
  });
});

describe('retryDecisionFor', () => {
  const EXPECTED: Record<RetryClass, string> = {
    permanent: 'give_up',
    retry_after: 'retry_after',
    transient: 'retry_with_backoff',
  };

  it.each(CODES)('maps %s by its retry class', (code) => {
    const decision = retryDecisionFor(new MasklineError(code));
    expect(decision.action).toBe(EXPECTED[ERROR_CATALOGUE[code].retry]);
  });

  it.each([
    ['invalid_request', { action: 'give_up' }],
    ['carrier_rejected', { action: 'give_up' }],
    ['carrier_invalid_destination', { action: 'give_up' }],
    ['retries_exhausted', { action: 'give_up' }],
    ['carrier_timeout', { action: 'retry_with_backoff' }],
    ['carrier_unavailable', { action: 'retry_with_backoff' }],
    ['carrier_error', { action: 'retry_with_backoff' }],
    ['plugin_failure', { action: 'retry_with_backoff' }],
    ['receipt_unmatched', { action: 'retry_with_backoff' }],
    ['carrier_throttled', { action: 'retry_after', delayMs: DEFAULT_RETRY_AFTER_MS }],
    ['rate_limited', { action: 'retry_after', delayMs: DEFAULT_RETRY_AFTER_MS }],
  ] as const)('%s -> %o', (code, decision) => {
    expect(retryDecisionFor(new MasklineError(code))).toEqual(decision);
  });

  it('waits the delay the peer asked for', () => {
    expect(retryDecisionFor(new MasklineError('carrier_throttled', { retryAfterMs: 2_500 }))).toEqual({
      action: 'retry_after',
      delayMs: 2_500,
    });
    expect(retryDecisionFor(new MasklineError('carrier_throttled', { retryAfterMs: 0 }))).toEqual({
      action: 'retry_after',
      delayMs: 0,
    });
  });

  it('ignores retryAfterMs on non-retry_after errors', () => {
    expect(retryDecisionFor(new MasklineError('carrier_error', { retryAfterMs: 5_000 }))).toEqual({
      action: 'retry_with_backoff',
    });
    expect(retryDecisionFor(new MasklineError('carrier_rejected', { retryAfterMs: 5_000 }))).toEqual({
      action: 'give_up',
    });
  });

  it('defaults the retry_after delay to one second', () => {
    expect(DEFAULT_RETRY_AFTER_MS).toBe(1_000);
  });
});
