import { MasklineError } from '@maskline/core';
import { describe, expect, it } from 'vitest';
import {
  checkStatusCallbackUrl,
  MAX_STATUS_CALLBACK_CHARS,
  matchStatusCallback,
} from '../src/endpoints/status-callback.js';
import { targetPolicy } from '../src/target-guard.js';

const policy = targetPolicy();
const endpoints = [
  { id: 'root', url: 'https://hooks.example.com/' },
  { id: 'status', url: 'https://hooks.example.com/status' },
  { id: 'deep', url: 'https://hooks.example.com/status/sms/' },
  { id: 'other-port', url: 'https://hooks.example.com:8443/status/sms/deeper' },
  { id: 'plain', url: 'http://plain.example.com/cb' },
];

const match = (raw: string, list = endpoints) =>
  matchStatusCallback(checkStatusCallbackUrl(raw, policy), list)?.endpointId ?? null;

function reasonOf(raw: string): string {
  try {
    checkStatusCallbackUrl(raw, policy);
    return 'allowed';
  } catch (error) {
    if (!(error instanceof MasklineError)) throw error;
    expect(error.code).toBe('invalid_webhook_url');
    expect(JSON.stringify(error.details)).not.toContain('secret-token');
    return String(error.details?.reason);
  }
}

describe('status callback matching (longest prefix, same origin)', () => {
  it('picks the endpoint whose URL is the longest prefix', () => {
    expect(match('https://hooks.example.com/status/sms/m1?x=1')).toBe('deep');
    expect(match('https://hooks.example.com/status/sms/')).toBe('deep');
    expect(match('https://hooks.example.com/status/other')).toBe('status');
    expect(match('https://hooks.example.com/status?m=1')).toBe('status');
    expect(match('https://hooks.example.com/status')).toBe('status');
    expect(match('https://hooks.example.com/elsewhere')).toBe('root');
  });

  it('stops a prefix at a path boundary: /status does not cover /statusx', () => {
    expect(match('https://hooks.example.com/statusx/1')).toBe('root');
    expect(match('https://hooks.example.com/statusx/1', endpoints.slice(1))).toBeNull();
  });

  it('needs the same origin: scheme, host and port', () => {
    expect(match('http://hooks.example.com/status/sms/1')).toBeNull();
    expect(match('https://other.example.com/status')).toBeNull();
    expect(match('https://hooks.example.com.evil.test/status')).toBeNull();
    expect(match('https://hooks.example.com:8443/status/sms/deeper/1')).toBe('other-port');
    expect(match('https://hooks.example.com:8443/status/sms/1')).toBeNull();
    // The default port is the same origin as no port.
    expect(match('https://hooks.example.com:443/status/1')).toBe('status');
    expect(match('HTTPS://HOOKS.EXAMPLE.COM/status/1')).toBe('status');
  });

  it('keeps the callback URL (normalised, no fragment), not the endpoint URL', () => {
    const found = matchStatusCallback(
      checkStatusCallbackUrl('https://hooks.example.com/status/sms/m-1?k=secret-token#frag', policy),
      endpoints,
    );
    expect(found).toEqual({
      endpointId: 'deep',
      url: 'https://hooks.example.com/status/sms/m-1?k=secret-token',
    });
  });

  it('matches nothing without endpoints', () => {
    expect(match('https://hooks.example.com/status', [])).toBeNull();
  });

  it('refuses what an endpoint URL may not be, naming the reason, never the URL', () => {
    expect(reasonOf('not a url/secret-token')).toBe('invalid_url');
    expect(reasonOf('ftp://hooks.example.com/secret-token')).toBe('scheme_not_allowed');
    expect(reasonOf('https://user:pw@hooks.example.com/secret-token')).toBe('credentials_in_url');
    expect(reasonOf('https://hooks.example.com:22/secret-token')).toBe('port_not_allowed');
    expect(reasonOf(`https://hooks.example.com/${'a'.repeat(MAX_STATUS_CALLBACK_CHARS)}`)).toBe('too_long');
    expect(reasonOf('https://hooks.example.com/secret-token')).toBe('allowed');
  });
});
