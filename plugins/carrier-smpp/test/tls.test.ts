import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { testContext } from './support/context.js';
import { closeAfterEach, createPlugin, rejection, request, startSmsc } from './support/harness.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const tls = { key: fixture('tls-test-key.pem'), cert: fixture('tls-test-cert.pem') };

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
    const error = await rejection(createPlugin(testContext(), smsc.port, { tls: true }).start());
    expect(error.code).toBe('carrier_unavailable');
    expect(error.message).toMatch(/certificate/i);
    expect(smsc.commands('bind_transceiver')).toHaveLength(0);
  });

  it('accepts it with tlsRejectUnauthorized off (lab SMSCs only)', async () => {
    const smsc = await startSmsc({ tls });
    const plugin = createPlugin(testContext(), smsc.port, { tls: true, tlsRejectUnauthorized: false });
    await plugin.start();
    expect((await plugin.submit(request)).carrierMessageId).toBe('msg-1');
  });
});
