import { describe, expect, it } from 'vitest';
import { parseReceipt, parseReceiptDate, parseReceiptText } from '../src/receipt-parser.js';

describe('parseReceiptText', () => {
  it('reads the SMPP 3.4 appendix B format, text running to the end', () => {
    const fields = parseReceiptText(
      'id:0123456789 sub:001 dlvrd:001 submit date:2401021530 done date:2401021531 stat:DELIVRD err:000 text:Hello there id:x',
    );
    expect(fields).toEqual({
      id: '0123456789',
      sub: '001',
      dlvrd: '001',
      submitDate: '2401021530',
      doneDate: '2401021531',
      stat: 'DELIVRD',
      err: '000',
      text: 'Hello there id:x',
    });
  });

  it('matches keys case-insensitively and tolerates missing fields', () => {
    expect(parseReceiptText('ID:abc-1 STAT:UNDELIV Err:021')).toEqual({
      id: 'abc-1',
      stat: 'UNDELIV',
      err: '021',
    });
    expect(parseReceiptText('Id:7f3a Submit Date:2401021530 Done Date:240102153045 Stat:expired')).toEqual({
      id: '7f3a',
      submitDate: '2401021530',
      doneDate: '240102153045',
      stat: 'expired',
    });
    expect(parseReceiptText('nothing useful')).toEqual({});
  });
});

describe('parseReceiptText: formats seen in the wild', () => {
  it.each([
    [
      'all lower case, underscores in the date keys',
      'id:a1 sub:001 dlvrd:001 submit_date:2401021530 done_date:2401021531 stat:DELIVRD err:000 text:Hi',
      { id: 'a1', doneDate: '2401021531', stat: 'DELIVRD', err: '000', text: 'Hi' },
    ],
    [
      'capitalised keys, seconds in the dates, text with spaces',
      'ID:b2 SUB:001 DLVRD:000 SUBMIT DATE:240102153001 DONE DATE:240102153559 STAT:UNDELIV ERR:034 TEXT:Your code is',
      { id: 'b2', doneDate: '240102153559', stat: 'UNDELIV', err: '034', text: 'Your code is' },
    ],
    [
      'no space after the dates key',
      'id:c3 submitdate:2401021530 donedate:2401021531 stat:EXPIRED',
      { id: 'c3', doneDate: '2401021531', stat: 'EXPIRED' },
    ],
    ['only id and stat', 'id:d4 stat:REJECTD', { id: 'd4', stat: 'REJECTD' }],
    [
      'a UUID id and extra spaces',
      'id:  3f0c2a9e-6a1b-4c7e-9d2f-1b2c3d4e5f60   stat:DELIVRD  ',
      { id: '3f0c2a9e-6a1b-4c7e-9d2f-1b2c3d4e5f60', stat: 'DELIVRD' },
    ],
    [
      'an empty text at the end',
      'id:e5 stat:DELIVRD err:000 text:',
      { id: 'e5', stat: 'DELIVRD', err: '000', text: '' },
    ],
  ])('%s', (_, text, expected) => {
    expect(parseReceiptText(text)).toMatchObject(expected);
  });

  it('does not read keys out of the text field', () => {
    expect(parseReceiptText('id:f6 text:stat:DELIVRD id:evil')).toEqual({
      id: 'f6',
      text: 'stat:DELIVRD id:evil',
    });
  });
});

describe('parseReceipt', () => {
  it.each([
    ['DELIVRD', 'delivered'],
    ['UNDELIV', 'undeliverable'],
    ['EXPIRED', 'expired'],
    ['REJECTD', 'rejected'],
    ['ENROUTE', 'enroute'],
    ['ACCEPTD', 'enroute'],
    ['DELETED', 'unknown'],
    ['UNKNOWN', 'unknown'],
    ['garbage', 'unknown'],
  ])('maps stat %s to %s', (stat, outcome) => {
    expect(parseReceipt(`id:m1 stat:${stat}`)?.outcome).toBe(outcome);
  });

  it('builds a full receipt with doneAt in ISO 8601', () => {
    expect(
      parseReceipt(
        'id:m1 sub:001 dlvrd:001 submit date:2401021530 done date:2401021531 stat:DELIVRD err:000 text:',
      ),
    ).toEqual({
      carrierMessageId: 'm1',
      outcome: 'delivered',
      carrierStatus: 'DELIVRD',
      networkErrorCode: '000',
      doneAt: '2024-01-02T15:31:00.000Z',
    });
  });

  it('prefers the TLVs over the text', () => {
    const receipt = parseReceipt('id:from-text stat:DELIVRD err:000', {
      receiptedMessageId: 'from-tlv',
      messageState: 5,
      networkErrorCode: Buffer.from([3, 0x00, 0x22]),
    });
    expect(receipt).toEqual({
      carrierMessageId: 'from-tlv',
      outcome: 'undeliverable',
      carrierStatus: 'UNDELIV',
      networkErrorCode: '3:34',
    });
    expect(parseReceipt('', { receiptedMessageId: 'only-tlv', messageState: 2 })).toEqual({
      carrierMessageId: 'only-tlv',
      outcome: 'delivered',
      carrierStatus: 'DELIVRD',
    });
    expect(parseReceipt('', { receiptedMessageId: 'x', messageState: 8 })?.outcome).toBe('rejected');
    expect(parseReceipt('', { receiptedMessageId: 'x', messageState: 3 })?.outcome).toBe('expired');
    expect(parseReceipt('', { receiptedMessageId: 'x', messageState: 6 })?.outcome).toBe('enroute');
  });

  it('maps lower-case stat words and every message_state', () => {
    expect(parseReceipt('id:m1 stat:delivrd')?.outcome).toBe('delivered');
    const states = [1, 2, 3, 4, 5, 6, 7, 8, 0, 42].map(
      (state) => parseReceipt('', { receiptedMessageId: 'x', messageState: state })?.outcome,
    );
    expect(states).toEqual([
      'enroute',
      'delivered',
      'expired',
      'unknown',
      'undeliverable',
      'enroute',
      'unknown',
      'rejected',
      'unknown',
      'unknown',
    ]);
  });

  it('keeps the text err when the network_error_code TLV is empty, and leaves doneAt out when unparsable', () => {
    expect(
      parseReceipt('id:m1 stat:DELIVRD err:000 done date:99999999', { networkErrorCode: Buffer.alloc(0) }),
    ).toEqual({
      carrierMessageId: 'm1',
      outcome: 'delivered',
      carrierStatus: 'DELIVRD',
      networkErrorCode: '000',
    });
  });

  it('returns null without a message id, and unknown without a status', () => {
    expect(parseReceipt('stat:DELIVRD')).toBeNull();
    expect(parseReceipt('id:m2')).toEqual({
      carrierMessageId: 'm2',
      outcome: 'unknown',
      carrierStatus: 'UNKNOWN',
    });
  });
});

describe('parseReceiptDate', () => {
  it('parses YYMMDDhhmm and YYMMDDhhmmss as UTC and rejects nonsense', () => {
    expect(parseReceiptDate('2401021531')).toBe('2024-01-02T15:31:00.000Z');
    expect(parseReceiptDate('240102153159')).toBe('2024-01-02T15:31:59.000Z');
    expect(parseReceiptDate('2413011200')).toBeUndefined();
    expect(parseReceiptDate('2402301200')).toBeUndefined();
    expect(parseReceiptDate('24010215')).toBeUndefined();
    expect(parseReceiptDate(undefined)).toBeUndefined();
  });
});
