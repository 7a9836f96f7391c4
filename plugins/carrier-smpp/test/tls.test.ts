import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testContext } from './support/context.js';
import { closeAfterEach, createPlugin, rejection, request, startSmsc } from './support/harness.js';

/** A throwaway self-signed certificate for localhost, made per run: no key is committed. */
function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'maskline-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    return {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const tls = selfSignedCertificate();

closeAfterEach();

describe('SMPP over TLS', () => {
  it('binds after the handshake and submits, trusting the configured CA', async () => {
    const smsc = await startSmsc({ tls });
    const plugin = createPlugin(testContext(), smsc.port, { tls: true, tlsCa: tls.cert });
    await plugin.start();
    expect(plugin.health().status).toBe('up');
    expect((await plugin.submit(request)).carrierMessageId).toBe('msg-1');
    expect(smsc.commands('bind_transceiver')).toHaveLength(1);
  });

  it('refuses a certificate it cannot verify', async () => {
    const smsc = await startSmsc({ tls });
    const plugin = createPlugin(testContext(), smsc.port, { tls: true });
    const error = await rejection(plugin.start());
    expect(error.code).toBe('carrier_unavailable');
    expect(error.message).toMatch(/certificate/i);
    expect(plugin.health()).toEqual({
      status: 'down',
      detail: '0/1 binds up; last failure: TLS handshake failed',
    });
    expect(smsc.commands('bind_transceiver')).toHaveLength(0);
  });

  it('accepts it with tlsRejectUnauthorized off (lab SMSCs only)', async () => {
    const smsc = await startSmsc({ tls });
    const plugin = createPlugin(testContext(), smsc.port, { tls: true, tlsRejectUnauthorized: false });
    await plugin.start();
    expect((await plugin.submit(request)).carrierMessageId).toBe('msg-1');
  });
});
