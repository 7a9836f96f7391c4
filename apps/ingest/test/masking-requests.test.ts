import { describe, expect, it } from 'vitest';
import {
  parseCarrier,
  parseJsonImport,
  parseListQuery,
  parseMapRequest,
  parseReserveRequest,
} from '../src/masking/masking-requests.js';

describe('masking request parsing', () => {
  it('fills reserve defaults and normalizes constraints', () => {
    expect(parseReserveRequest({})).toEqual({
      mode: 'pair',
      ttlSeconds: 3_600,
      constraints: { country: null, carrierId: null, capabilities: ['sms-mt', 'sms-mo'] },
      nonParticipantPolicy: 'drop',
      autoReplyText: null,
      inboxDelivery: 'participant',
      participants: [],
    });
    expect(
      parseReserveRequest({
        mode: 'verification',
        country: 'gb',
        carrier: 'sim',
        capabilities: ['sms-mo', 'sms-mo'],
        nonParticipantPolicy: 'auto_reply',
        autoReplyText: 'Busy',
        participants: ['+447912300001'],
      }),
    ).toMatchObject({
      mode: 'verification',
      constraints: { country: 'GB', carrierId: 'sim', capabilities: ['sms-mo'] },
      autoReplyText: 'Busy',
      participants: ['+447912300001'],
    });
  });

  it('names the offending field and never echoes a value', () => {
    const cases: [unknown, string][] = [
      [{ mode: 'group' }, 'mode'],
      [{ ttlSeconds: 59 }, 'ttlSeconds'],
      [{ ttlSeconds: 31 * 24 * 3600 }, 'ttlSeconds'],
      [{ country: 'GBR' }, 'country'],
      [{ capabilities: ['voice'] }, 'capabilities.0'],
      [{ participants: ['+447912300001', '+447912300002', '+447912300003'] }, 'participants'],
      [{ secret: '+447912300001' }, 'secret'],
      [{ autoReplyText: 'x' }, 'autoReplyText'],
    ];
    for (const [input, field] of cases) {
      let error: { code?: string; details?: { field?: string }; message?: string } = {};
      try {
        parseReserveRequest(input);
      } catch (e) {
        error = e as typeof error;
      }
      expect(error.code, JSON.stringify(input)).toBe('invalid_request');
      expect(error.details?.field).toBe(field);
      expect(error.message).not.toContain('447912300001');
    }
    expect(() => parseReserveRequest([])).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });

  it('parses map, list and import requests', () => {
    expect(parseMapRequest({ participants: ['+447912300001'] })).toEqual(['+447912300001']);
    expect(() => parseMapRequest({ participants: [] })).toThrow(
      expect.objectContaining({ code: 'invalid_request' }),
    );
    expect(parseListQuery({ limit: '5', state: 'active' })).toEqual({
      limit: 5,
      cursor: null,
      state: 'active',
      type: null,
    });
    expect(() => parseListQuery({ limit: '500' })).toThrow(
      expect.objectContaining({ code: 'invalid_request' }),
    );
    expect(() => parseListQuery({ cursor: 'x' })).toThrow(
      expect.objectContaining({ code: 'invalid_request' }),
    );
    expect(parseJsonImport({ carrier: 'sim', numbers: [{}] })).toEqual({ carrier: 'sim', numbers: [{}] });
    expect(() => parseJsonImport({ carrier: 'SIM!', numbers: [{}] })).toThrow(
      expect.objectContaining({ code: 'invalid_request' }),
    );
    expect(() => parseCarrier(undefined)).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });
});
