import { describe, expect, it } from 'vitest';
import { smppCarrierPlugin } from '../src/index.js';

const schema = smppCarrierPlugin.configSchema;
const minimal = { host: 'smsc.example', systemId: 'maskline', password: 'secret' };

describe('config schema', () => {
  it('fills every default from host, systemId and password', () => {
    expect(schema.parse(minimal)).toEqual({
      ...minimal,
      port: 2775,
      tls: false,
      tlsRejectUnauthorized: true,
      systemType: '',
      bindMode: 'transceiver',
      binds: 1,
      windowSize: 10,
      maxQueuedSubmits: 1000,
      requestTimeoutMs: 10_000,
      enquireLinkIntervalMs: 30_000,
      enquireLinkTimeoutMs: 10_000,
      reconnectMinMs: 500,
      reconnectMaxMs: 30_000,
      connectTimeoutMs: 5000,
      closeTimeoutMs: 5000,
      receiptIdRadix: 'same',
      registeredDelivery: true,
      maxBodyOctets: 8000,
      longMessages: 'udh8',
      throttleRetries: 8,
      throttlePauseMinMs: 50,
      throttlePauseMaxMs: 2000,
      throttleRecoveryMs: 5000,
      submitStatusOverrides: {},
      moReassemblyTimeoutMs: 120_000,
      moIncomplete: 'publish',
      moMissingPartMarker: '[…]',
      moMaxPending: 10_000,
      maxPduOctets: 16_384,
      pduReadTimeoutMs: 10_000,
      sourceTonAlphanumeric: 5,
      sourceNpiAlphanumeric: 0,
      sourceTonInternational: 1,
      sourceNpiInternational: 1,
      sourceTonNumeric: 0,
      sourceNpiNumeric: 1,
      destTon: 1,
      destNpi: 1,
    });
  });

  it.each([
    ['a system_id over 15 characters', { systemId: 'x'.repeat(16) }, 'systemId'],
    ['a password over 8 characters', { password: 'x'.repeat(9) }, 'password'],
    ['a bind mode not supported yet', { bindMode: 'transmitter' }, 'bindMode'],
    ['a zero window', { windowSize: 0 }, 'windowSize'],
    ['a backoff cap below its start', { reconnectMinMs: 1000, reconnectMaxMs: 10 }, 'reconnectMaxMs'],
    ['an out-of-range TON', { destTon: 7 }, 'destTon'],
  ])('refuses %s', (_, override, field) => {
    const result = schema.safeParse({ ...minimal, ...override });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain(field);
  });

  it('refuses a config without credentials', () => {
    expect(schema.safeParse({ host: 'smsc.example' }).success).toBe(false);
  });

  it('declares its capabilities', () => {
    expect(smppCarrierPlugin).toMatchObject({ id: 'smpp', protocol: 'smpp' });
    expect(smppCarrierPlugin.capabilities).toEqual({
      deliveryReceipts: true,
      inbound: true,
      unicode: true,
      concatenation: true,
    });
  });
});
