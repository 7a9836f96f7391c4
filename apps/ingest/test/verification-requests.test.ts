import { MasklineError } from '@maskline/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { verificationConfigShape } from '../src/verifications/verification-config.js';
import {
  parseCheckVerification,
  parseStartVerification,
} from '../src/verifications/verification-requests.js';

const to = '+447911123456';

function failure(fn: () => unknown): { code: string; field: unknown; message: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof MasklineError)
      return { code: error.code, field: error.details?.field, message: error.message };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('parseStartVerification', () => {
  it('fills the defaults: en, 6 digits, 300 s, no template, no sender', () => {
    expect(parseStartVerification({ to, brand: ' Acme ' })).toEqual({
      to,
      brand: 'Acme',
      locale: 'en',
      codeLength: 6,
      ttlSeconds: 300,
      template: null,
      from: null,
      virtualNumber: null,
    });
  });

  it('takes virtualNumber as true, false or {country}; never beside from', () => {
    expect(parseStartVerification({ to, brand: 'A', virtualNumber: true }).virtualNumber).toEqual({
      country: null,
    });
    expect(parseStartVerification({ to, brand: 'A', virtualNumber: false }).virtualNumber).toBeNull();
    expect(
      parseStartVerification({ to, brand: 'A', virtualNumber: { country: 'GB' } }).virtualNumber,
    ).toEqual({
      country: 'GB',
    });
    for (const bad of ['yes', 1, [], { country: 'gb' }, { country: 'GBR' }]) {
      expect(failure(() => parseStartVerification({ to, brand: 'A', virtualNumber: bad }))).toMatchObject({
        code: 'invalid_request',
        field: 'virtualNumber',
      });
    }
    expect(
      failure(() =>
        parseStartVerification({ to, brand: 'A', virtualNumber: { country: 'GB', carrier: 'x' } }),
      ),
    ).toMatchObject({ code: 'invalid_request', field: 'virtualNumber.carrier' });
    expect(
      failure(() => parseStartVerification({ to, brand: 'A', from: 'Acme', virtualNumber: true })),
    ).toMatchObject({ code: 'invalid_request', field: 'virtualNumber' });
  });

  it('takes every field within its bounds', () => {
    expect(
      parseStartVerification({
        to,
        brand: '京东',
        locale: 'zh-CN',
        codeLength: 10,
        ttlSeconds: 3600,
        template: '【{brand}】{code}',
        from: 'Maskline',
      }),
    ).toMatchObject({ locale: 'zh-CN', codeLength: 10, ttlSeconds: 3600, from: 'Maskline' });
    expect(parseStartVerification({ to, brand: 'A', codeLength: 4, ttlSeconds: 60 })).toMatchObject({
      codeLength: 4,
      ttlSeconds: 60,
    });
  });

  it.each([
    [{ to, brand: 'A', codeLength: 3 }, 'invalid_request', 'codeLength'],
    [{ to, brand: 'A', codeLength: 6.5 }, 'invalid_request', 'codeLength'],
    [{ to, brand: 'A', codeLength: '6' }, 'invalid_request', 'codeLength'],
    [{ to, brand: 'A', ttlSeconds: 3601 }, 'invalid_request', 'ttlSeconds'],
    [{ to, brand: 'A', locale: 'pt' }, 'invalid_request', 'locale'],
    [{ to, brand: '   ' }, 'invalid_request', 'brand'],
    [{ to, brand: 'x'.repeat(31) }, 'invalid_request', 'brand'],
    [{ to, brand: 'A', template: 42 }, 'invalid_request', 'template'],
    [{ to, brand: 'A', from: 'not a valid sender id' }, 'invalid_phone_number', 'from'],
    [{ to: '447911123456', brand: 'A' }, 'invalid_phone_number', 'to'],
    [{ to, brand: 'A', code: '123456' }, 'invalid_request', 'code'],
  ])('refuses %j with %s on %s, without echoing the number', (input, code, field) => {
    const refused = failure(() => parseStartVerification(input));
    expect(refused).toMatchObject({ code, field });
    expect(refused.message).not.toContain('7911123456');
  });

  it('refuses a body that is not an object', () => {
    for (const input of [null, [], 'x', 1])
      expect(failure(() => parseStartVerification(input)).code).toBe('invalid_request');
  });
});

describe('parseCheckVerification', () => {
  it('takes a string of digits', () => {
    expect(parseCheckVerification({ code: '0042' })).toEqual({ code: '0042' });
  });

  it('refuses anything else without echoing it', () => {
    for (const input of [
      {},
      { code: 42 },
      { code: '12a4' },
      { code: '' },
      { code: '1'.repeat(21) },
      { code: '1', x: 1 },
    ]) {
      const refused = failure(() => parseCheckVerification(input));
      expect(refused.code).toBe('invalid_request');
      expect(refused.message).not.toContain('12a4');
    }
  });
});

describe('ingest config: verifications', () => {
  const ingestConfigSchema = z.object(verificationConfigShape);
  const base = {};
  it('is off without a secret and refuses a short one', () => {
    expect(ingestConfigSchema.parse(base).VERIFICATION_CODE_SECRET).toBeUndefined();
    expect(ingestConfigSchema.safeParse({ ...base, VERIFICATION_CODE_SECRET: 'short' }).success).toBe(false);
    expect(
      ingestConfigSchema.parse({ ...base, VERIFICATION_CODE_SECRET: 's'.repeat(32) })
        .VERIFICATION_CODE_SECRET,
    ).toBe('s'.repeat(32));
  });

  it('defaults the limits and checks the default sender', () => {
    const config = ingestConfigSchema.parse(base);
    expect(config).toMatchObject({
      VERIFICATION_DEFAULT_FROM: 'Verify',
      VERIFICATION_MAX_SEGMENTS: 1,
      VERIFICATION_LIMIT_PER_DESTINATION_MINUTE: 1,
      VERIFICATION_LIMIT_PER_DESTINATION_HOUR: 5,
      VERIFICATION_LIMIT_PER_DESTINATION_DAY: 10,
      VERIFICATION_LIMIT_PER_TENANT_HOUR: 1000,
    });
    expect(
      ingestConfigSchema.safeParse({ ...base, VERIFICATION_DEFAULT_FROM: 'far too long sender' }).success,
    ).toBe(false);
    expect(
      ingestConfigSchema.parse({ ...base, VERIFICATION_DEFAULT_FROM: '+447911123456' })
        .VERIFICATION_DEFAULT_FROM,
    ).toBe('+447911123456');
  });
});
