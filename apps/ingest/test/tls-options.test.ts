import { isMasklineError } from '@maskline/core';
import { describe, expect, it } from 'vitest';
import { ingestConfigSchema } from '../src/config.js';
import { ingestTlsOf } from '../src/http/tls-options.js';

const files: Record<string, string> = { 'c.pem': 'CERT', 'k.pem': 'KEY', 'ca.pem': 'CA' };
const read = (path: string): Buffer => {
  const text = files[path];
  if (text === undefined) throw new Error(`ENOENT: ${path}`);
  return Buffer.from(text);
};

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isMasklineError(error) && error.code === 'config_invalid') return error.message;
    throw error;
  }
  throw new Error('expected config_invalid');
}

describe('ingestTlsOf (TLS_* settings)', () => {
  it('is plain HTTP when nothing is set', () => {
    expect(ingestTlsOf({ TLS_CLIENT_CERT_REQUIRED: true }, read)).toBeNull();
  });

  it('serves HTTPS with a certificate and key; asks for no client certificate without a CA', () => {
    const tls = ingestTlsOf(
      { TLS_CERT_FILE: 'c.pem', TLS_KEY_FILE: 'k.pem', TLS_CLIENT_CERT_REQUIRED: true },
      read,
    );
    expect(tls?.clientCa).toBe(false);
    expect(tls?.options.requestCert).toBeUndefined();
    expect(String(tls?.options.cert)).toBe('CERT');
  });

  it('checks client certificates against the CA; rejects unverified ones in the handshake only when required', () => {
    const base = { TLS_CERT_FILE: 'c.pem', TLS_KEY_FILE: 'k.pem', TLS_CLIENT_CA_FILE: 'ca.pem' };
    const required = ingestTlsOf({ ...base, TLS_CLIENT_CERT_REQUIRED: true }, read);
    expect(required?.options).toMatchObject({ requestCert: true, rejectUnauthorized: true });
    expect(String(required?.options.ca)).toBe('CA');
    const optional = ingestTlsOf({ ...base, TLS_CLIENT_CERT_REQUIRED: false }, read);
    expect(optional?.options).toMatchObject({ requestCert: true, rejectUnauthorized: false });
  });

  it('refuses half a setting, or a file it cannot read, naming the variable only', () => {
    expect(
      configError(() => ingestTlsOf({ TLS_CERT_FILE: 'c.pem', TLS_CLIENT_CERT_REQUIRED: true }, read)),
    ).toMatch(/TLS_CERT_FILE and TLS_KEY_FILE/);
    expect(
      configError(() => ingestTlsOf({ TLS_CLIENT_CA_FILE: 'ca.pem', TLS_CLIENT_CERT_REQUIRED: true }, read)),
    ).toMatch(/TLS_CLIENT_CA_FILE/);
    const unreadable = configError(() =>
      ingestTlsOf(
        { TLS_CERT_FILE: 'c.pem', TLS_KEY_FILE: 'missing/secret.pem', TLS_CLIENT_CERT_REQUIRED: true },
        read,
      ),
    );
    expect(unreadable).toMatch(/TLS_KEY_FILE/);
    expect(unreadable).not.toContain('secret.pem');
  });

  it('TLS_CLIENT_CERT_REQUIRED defaults to 1 and takes only 0 or 1', () => {
    const shape = ingestConfigSchema.pick({ TLS_CLIENT_CERT_REQUIRED: true });
    expect(shape.parse({}).TLS_CLIENT_CERT_REQUIRED).toBe(true);
    expect(shape.parse({ TLS_CLIENT_CERT_REQUIRED: '0' }).TLS_CLIENT_CERT_REQUIRED).toBe(false);
    expect(shape.safeParse({ TLS_CLIENT_CERT_REQUIRED: 'yes' }).success).toBe(false);
  });
});
