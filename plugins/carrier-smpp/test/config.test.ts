import { describe, expect, it } from 'vitest';
import { smppCarrierPlugin } from '../src/index.js';
import { testContext } from './support/context.js';

const schema = smppCarrierPlugin.configSchema;
const minimal = { host: 'smsc.example', systemId: 'maskline' };

describe('config schema', () => {
  it('fills every default from host and systemId', () => {
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
    ['a bind mode not supported yet', { bindMode: 'transmitter' }, 'bindMode'],
    ['a zero window', { windowSize: 0 }, 'windowSize'],
    ['a backoff cap below its start', { reconnectMinMs: 1000, reconnectMaxMs: 10 }, 'reconnectMaxMs'],
    ['an out-of-range TON', { destTon: 7 }, 'destTon'],
  ])('refuses %s', (_, override, field) => {
    const result = schema.safeParse({ ...minimal, ...override });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain(field);
  });

  it('refuses a config without a system_id', () => {
    expect(schema.safeParse({ host: 'smsc.example' }).success).toBe(false);
  });

  it('declares the bind password as a required secret, checked without quoting it', () => {
    const spec = smppCarrierPlugin.secrets?.password;
    expect(spec).toMatchObject({ description: expect.stringContaining('password') });
    expect(spec?.optional).toBeFalsy();
    expect(spec?.schema?.safeParse('secret').success).toBe(true);
    expect(spec?.schema?.safeParse('').success).toBe(true);
    for (const bad of ['x'.repeat(9), 'pässwd']) {
      const result = spec?.schema?.safeParse(bad);
      expect(result?.success).toBe(false);
      expect(JSON.stringify(result?.error?.issues.map((i) => i.message))).not.toContain(bad);
    }
  });

  it('refuses to create a carrier without a valid password secret', () => {
    const config = schema.parse(minimal);
    const ctx = { ...testContext(), carrierId: 'sim' };
    for (const secrets of [{}, { password: 'x'.repeat(9) }] as Record<string, string>[]) {
      expect(() => smppCarrierPlugin.create({ ...ctx, secrets }, config)).toThrow(
        'carrier "sim": secrets.password: missing or not a valid SMPP password.',
      );
    }
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
