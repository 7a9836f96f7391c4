import { isMasklineError } from '@maskline/core';
import { describe, expect, it } from 'vitest';
import { IpAllowlist, MAX_ALLOWED_CIDRS, parseAllowedCidrs } from '../src/auth/ip-allowlist.js';

function codeOf(fn: () => unknown): { code: string; details: unknown } | null {
  try {
    fn();
    return null;
  } catch (error) {
    if (!isMasklineError(error)) throw error;
    return { code: error.code, details: error.details };
  }
}

describe('parseAllowedCidrs', () => {
  it('takes IPv4 and IPv6 CIDRs and bare addresses, canonical and de-duplicated', () => {
    expect(
      parseAllowedCidrs([
        '192.0.2.0/24',
        ' 10.0.0.0/8 ',
        '203.0.113.7',
        '2001:DB8:0:0::/32',
        '2001:db8::/32',
        '::1',
        '0.0.0.0/0',
        '::ffff:198.51.100.0/120',
      ]),
    ).toEqual([
      '192.0.2.0/24',
      '10.0.0.0/8',
      '203.0.113.7/32',
      '2001:db8::/32',
      '::1/128',
      '0.0.0.0/0',
      '::ffff:c633:6400/120',
    ]);
  });

  it('null means any address', () => {
    expect(parseAllowedCidrs(null)).toBeNull();
  });

  it.each([
    ['not an address', ['example.com']],
    ['a prefix too long for IPv4', ['10.0.0.0/33']],
    ['a prefix too long for IPv6', ['2001:db8::/129']],
    ['a prefix with a leading zero', ['10.0.0.0/08']],
    ['a negative prefix', ['10.0.0.0/-1']],
    ['an empty prefix', ['10.0.0.0/']],
    ['two slashes', ['10.0.0.0/8/8']],
    ['an octet over 255', ['10.0.0.256/32']],
    ['a leading-zero octet', ['010.0.0.0/8']],
    ['an IPv6 zone', ['fe80::1%eth0/128']],
    ['host bits set (IPv4)', ['10.0.0.1/8']],
    ['host bits set (IPv6)', ['2001:db8::1/32']],
    ['a number', [42]],
    ['an empty string', ['']],
  ])('refuses %s with 400 invalid_cidr naming the index', (_what, list) => {
    const error = codeOf(() => parseAllowedCidrs(['192.0.2.0/24', ...list]));
    expect(error).toEqual({ code: 'invalid_cidr', details: { field: 'allowedCidrs', index: 1 } });
  });

  it('refuses an empty list, a list too long, and a non-list', () => {
    for (const input of [[], new Array(MAX_ALLOWED_CIDRS + 1).fill('10.0.0.0/8'), '10.0.0.0/8', {}]) {
      expect(codeOf(() => parseAllowedCidrs(input))?.code).toBe('invalid_cidr');
    }
  });

  it('never echoes the entry in its message', () => {
    try {
      parseAllowedCidrs(['secret-looking-value/99']);
      expect.unreachable();
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('secret-looking-value');
    }
  });
});

describe('IpAllowlist', () => {
  const list = IpAllowlist.of(['192.0.2.0/24', '2001:db8:abcd::/48', '203.0.113.7/32']);

  it('allows addresses inside its IPv4 and IPv6 CIDRs only', () => {
    expect(list.allows('192.0.2.1')).toBe(true);
    expect(list.allows('192.0.2.255')).toBe(true);
    expect(list.allows('203.0.113.7')).toBe(true);
    expect(list.allows('203.0.113.8')).toBe(false);
    expect(list.allows('192.0.3.1')).toBe(false);
    expect(list.allows('2001:db8:abcd:12::5')).toBe(true);
    expect(list.allows('2001:db8:abce::5')).toBe(false);
  });

  it('checks an IPv4-mapped IPv6 address as its IPv4 address', () => {
    expect(list.allows('::ffff:192.0.2.9')).toBe(true);
    expect(list.allows('::FFFF:192.0.2.9')).toBe(true);
    expect(list.allows('::ffff:192.0.3.9')).toBe(false);
  });

  it('refuses what is not an address', () => {
    expect(list.allows(undefined)).toBe(false);
    expect(list.allows('')).toBe(false);
    expect(list.allows('garbage')).toBe(false);
  });

  it('skips a malformed stored entry rather than widening the list', () => {
    const odd = IpAllowlist.of(['nonsense', '198.51.100.0/24']);
    expect(odd.allows('198.51.100.1')).toBe(true);
    expect(odd.allows('10.0.0.1')).toBe(false);
  });
});
