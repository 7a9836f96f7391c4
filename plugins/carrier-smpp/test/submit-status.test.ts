import { carrierAnswerOf, MasklineError } from '@maskline/core';
import { describe, expect, it } from 'vitest';
import { smppCarrierPlugin } from '../src/index.js';
import {
  parseStatusKey,
  SubmitStatusTable,
  statusLabel,
  DEFAULT_SUBMIT_STATUS_TABLE as table,
} from '../src/submit-status.js';

describe('submit status table', () => {
  it.each([
    [0x58, 'carrier_throttled'],
    [0x14, 'carrier_throttled'],
    [0x0b, 'carrier_invalid_destination'],
    [0x50, 'carrier_invalid_destination'],
    [0x51, 'carrier_invalid_destination'],
    [0x0a, 'carrier_rejected'],
    [0x01, 'carrier_rejected'],
    [0x43, 'carrier_rejected'],
    [0x48, 'carrier_rejected'],
    [0x49, 'carrier_rejected'],
    [0x07, 'carrier_rejected'],
    [0xc2, 'carrier_rejected'],
    [0xc0, 'carrier_rejected'],
    [0x104, 'carrier_rejected'], // ESME_RINVDCS
    [0x65, 'carrier_rejected'], // ESME_RX_P_APPN
    [0x106, 'carrier_invalid_destination'], // ESME_RINVDSTADDRSUBUNIT
    [0x04, 'carrier_error'], // ESME_RINVBNDSTS: a new bind fixes it
    [0x64, 'carrier_error'], // ESME_RX_T_APPN
    [0x08, 'carrier_error'],
    [0x45, 'carrier_error'],
    [0x0400, 'carrier_error'],
  ])('status 0x%s maps to %s', (status, code) => {
    expect(table.rule(status).code).toBe(code);
  });

  it('gives throttling a retry delay and names the status in the message', () => {
    const error = table.error(0x58);
    expect(error).toBeInstanceOf(MasklineError);
    expect(error.code).toBe('carrier_throttled');
    expect(error.retry).toBe('retry_after');
    expect(error.retryAfterMs).toBe(1000);
    expect(error.message).toContain('ESME_RTHROTTLED');
    expect(table.error(0x0b).retry).toBe('permanent');
    expect(table.error(0x45).retryAfterMs).toBeUndefined();
  });

  it('attaches the carrier answer: 8-digit upper-case hex and the SMPP name when known', () => {
    expect(carrierAnswerOf(table.error(0x45))).toEqual({ code: '0x00000045', name: 'ESME_RSUBMITFAIL' });
    expect(carrierAnswerOf(table.error(0x58))).toEqual({ code: '0x00000058', name: 'ESME_RTHROTTLED' });
    expect(carrierAnswerOf(table.error(0xc4, 'generic_nack'))).toEqual({
      code: '0x000000C4',
      name: 'ESME_RINVTLVVAL',
    });
    expect(carrierAnswerOf(table.error(0x4ab))).toEqual({ code: '0x000004AB' }); // vendor status, no name
    expect(table.error(0x45).details).toMatchObject({ smppCommandStatus: 0x45 });
  });

  it('gives only throttling statuses a retry delay', () => {
    for (const [status, rule] of table.entries()) {
      expect(rule.retryAfterMs !== undefined, statusLabel(status)).toBe(rule.code === 'carrier_throttled');
    }
    expect(table.entries().some(([status]) => status === 0)).toBe(false);
    expect(table.isThrottling(0)).toBe(false);
  });

  it('labels statuses by their SMPP name', () => {
    expect(statusLabel(0x0e)).toBe('ESME_RINVPASWD (0x0000000E)');
    expect(statusLabel(0x4242)).toBe('0x00004242');
  });
});

describe('submit status overrides', () => {
  it('reads a status key as an SMPP name or hex, never ESME_ROK', () => {
    expect(parseStatusKey('ESME_RSUBMITFAIL')).toBe(0x45);
    expect(parseStatusKey('0x45')).toBe(0x45);
    expect(parseStatusKey('0x00000045')).toBe(0x45);
    expect(parseStatusKey('0X4aB')).toBe(0x4ab);
    for (const bad of ['ESME_ROK', '0x0', 'ESME_RNOPE', '69', '0x123456789', '']) {
      expect(parseStatusKey(bad), bad).toBeUndefined();
    }
  });

  it('moves statuses to another class by name or hex; the others keep their default', () => {
    const carrier = new SubmitStatusTable({
      ESME_RSUBMITFAIL: 'rejected',
      '0x00000008': 'invalid_destination',
      '0x4AB': 'throttled',
      ESME_RTHROTTLED: 'transient',
    });
    expect(carrier.rule(0x45).code).toBe('carrier_rejected');
    expect(carrier.error(0x45).retry).toBe('permanent');
    expect(carrier.rule(0x08).code).toBe('carrier_invalid_destination');
    expect(carrier.rule(0x4ab)).toEqual({ code: 'carrier_throttled', retryAfterMs: 1000 });
    expect(carrier.isThrottling(0x4ab)).toBe(true);
    expect(carrier.isThrottling(0x58)).toBe(false);
    expect(carrier.rule(0x58).code).toBe('carrier_error');
    expect(carrier.isThrottling(0x14)).toBe(true); // untouched default
    expect(carrier.rule(0x0b).code).toBe('carrier_invalid_destination');
    expect(carrierAnswerOf(carrier.error(0x45))).toEqual({ code: '0x00000045', name: 'ESME_RSUBMITFAIL' });
    // The default table is not changed by a carrier's overrides.
    expect(table.rule(0x45).code).toBe('carrier_error');
  });

  it('is validated by the config schema, naming the bad key', () => {
    const minimal = { host: 'smsc.example', systemId: 'maskline' };
    const schema = smppCarrierPlugin.configSchema;
    expect(schema.parse(minimal).submitStatusOverrides).toEqual({});
    expect(
      schema.parse({ ...minimal, submitStatusOverrides: { '0x45': 'rejected' } }).submitStatusOverrides,
    ).toEqual({
      '0x45': 'rejected',
    });
    const badKey = schema.safeParse({ ...minimal, submitStatusOverrides: { ESME_RBOGUS: 'rejected' } });
    expect(badKey.success).toBe(false);
    expect(badKey.error?.issues[0]).toMatchObject({ path: ['submitStatusOverrides', 'ESME_RBOGUS'] });
    expect(badKey.error?.issues[0]?.message).toContain('ESME_RBOGUS');
    const badClass = schema.safeParse({ ...minimal, submitStatusOverrides: { '0x45': 'permanent' } });
    expect(badClass.error?.issues[0]?.path).toEqual(['submitStatusOverrides', '0x45']);
    const clash = schema.safeParse({
      ...minimal,
      submitStatusOverrides: { ESME_RSUBMITFAIL: 'rejected', '0x45': 'transient' },
    });
    expect(clash.error?.issues[0]?.message).toContain('0x00000045');
    expect(schema.safeParse({ ...minimal, submitStatusOverrides: { ESME_ROK: 'rejected' } }).success).toBe(
      false,
    );
  });
});
