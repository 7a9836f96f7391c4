import { MasklineError } from '@maskline/core';
import { describe, expect, it } from 'vitest';
import {
  SUBMIT_STATUS_RULES,
  statusLabel,
  submitStatusError,
  submitStatusRule,
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
    expect(submitStatusRule(status).code).toBe(code);
  });

  it('gives throttling a retry delay and names the status in the message', () => {
    const error = submitStatusError(0x58);
    expect(error).toBeInstanceOf(MasklineError);
    expect(error.code).toBe('carrier_throttled');
    expect(error.retry).toBe('retry_after');
    expect(error.retryAfterMs).toBe(1000);
    expect(error.message).toContain('ESME_RTHROTTLED');
    expect(submitStatusError(0x0b).retry).toBe('permanent');
    expect(submitStatusError(0x45).retryAfterMs).toBeUndefined();
  });

  it('gives only throttling statuses a retry delay', () => {
    for (const [status, rule] of SUBMIT_STATUS_RULES) {
      expect(rule.retryAfterMs !== undefined, statusLabel(status)).toBe(rule.code === 'carrier_throttled');
    }
    expect(SUBMIT_STATUS_RULES.has(0)).toBe(false);
  });

  it('labels statuses by their SMPP name', () => {
    expect(statusLabel(0x0e)).toBe('ESME_RINVPASWD (0x0000000E)');
    expect(statusLabel(0x4242)).toBe('0x00004242');
  });
});
