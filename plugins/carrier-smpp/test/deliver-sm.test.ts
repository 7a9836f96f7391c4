/// <reference types="@maskline/smpp-types" preserve="true" />
import smpp, { type PDU } from 'smpp';
import { describe, expect, it } from 'vitest';
import { readDeliverSm } from '../src/deliver-sm.js';
import { encodeText } from '../src/encoding.js';

const AT = '2024-05-01T10:00:00.000Z';
/** A deliver_sm as it arrives: encoded by the smpp package, then decoded from the wire. */
const wire = (fields: Record<string, unknown>): PDU =>
  new smpp.PDU(new smpp.PDU('deliver_sm', fields).toBuffer());
const receiptBody = (text: string) => Buffer.from(text, 'latin1');

describe('readDeliverSm: receipts', () => {
  it.each([
    ['0x04 (SMSC delivery receipt)', 0x04],
    ['0x20 (intermediate notification)', 0x20],
    ['0x07 (receipt, store-and-forward mode bits)', 0x07],
    ['0x84 (receipt, reply path bit)', 0x84],
  ])('treats esm_class %s as a receipt', (_, esmClass) => {
    const decision = readDeliverSm(
      wire({ esm_class: esmClass, short_message: receiptBody('id:abc stat:DELIVRD') }),
      AT,
    );
    expect(decision).toMatchObject({
      kind: 'receipt',
      event: { carrierMessageId: 'abc', outcome: 'delivered' },
    });
  });

  it('keeps ids as ASCII even with data_coding 0 (no GSM decoding of "_" or "@")', () => {
    const decision = readDeliverSm(
      wire({ esm_class: 0x04, data_coding: 0, short_message: receiptBody('id:ab_c@1 stat:UNDELIV err:021') }),
      AT,
    );
    expect(decision).toEqual({
      kind: 'receipt',
      event: {
        type: 'receipt',
        carrierMessageId: 'ab_c@1',
        outcome: 'undeliverable',
        carrierStatus: 'UNDELIV',
        networkErrorCode: '021',
      },
    });
  });

  it('reads a UCS-2 receipt', () => {
    const decision = readDeliverSm(
      wire({
        esm_class: 0x04,
        data_coding: 0x08,
        short_message: encodeText('id:u1 stat:EXPIRED text:✓').bytes,
      }),
      AT,
    );
    expect(decision).toMatchObject({
      kind: 'receipt',
      event: { carrierMessageId: 'u1', outcome: 'expired' },
    });
  });

  it('prefers receipt TLVs, and reads a receipt carried in message_payload', () => {
    const decision = readDeliverSm(
      wire({
        esm_class: 0x04,
        short_message: Buffer.alloc(0),
        message_payload: receiptBody('id:from-text stat:DELIVRD done date:2405010959'),
        receipted_message_id: 'from-tlv',
        message_state: 8,
        network_error_code: Buffer.from([3, 0, 11]),
      }),
      AT,
    );
    expect(decision).toEqual({
      kind: 'receipt',
      event: {
        type: 'receipt',
        carrierMessageId: 'from-tlv',
        outcome: 'rejected',
        carrierStatus: 'REJECTD',
        networkErrorCode: '3:11',
        doneAt: '2024-05-01T09:59:00.000Z',
      },
    });
  });

  it('ignores a receipt without any message id', () => {
    expect(readDeliverSm(wire({ esm_class: 0x04, short_message: receiptBody('stat:DELIVRD') }), AT)).toEqual({
      kind: 'ignored',
      reason: 'receipt_without_id',
    });
    expect(readDeliverSm(wire({ esm_class: 0x04 }), AT)).toMatchObject({ kind: 'ignored' });
  });
});

describe('readDeliverSm: acknowledgements', () => {
  it.each([
    ['0x08 (SME delivery acknowledgement)', 0x08],
    ['0x10 (user acknowledgement)', 0x10],
    ['0x18 (conversation abort)', 0x18],
    ['0x0C (reserved)', 0x0c],
  ])('acknowledges and drops esm_class %s (never an MO)', (_, esmClass) => {
    const decision = readDeliverSm(
      wire({ esm_class: esmClass, short_message: receiptBody('id:1 text:hi') }),
      AT,
    );
    expect(decision).toEqual({ kind: 'ignored', reason: 'sme_acknowledgement' });
  });
});

describe('readDeliverSm: MO messages', () => {
  it('publishes GSM text with international numbers in E.164', () => {
    const decision = readDeliverSm(
      wire({
        source_addr_ton: 1,
        source_addr: '447700900123',
        dest_addr_ton: 1,
        destination_addr: '15550001111',
        data_coding: 0,
        short_message: encodeText('Hi {you} €5 @ home').bytes,
      }),
      AT,
    );
    expect(decision).toEqual({
      kind: 'inbound',
      event: {
        type: 'inbound',
        from: '+447700900123',
        to: '+15550001111',
        body: 'Hi {you} €5 @ home',
        receivedAt: AT,
      },
    });
  });

  it('keeps a short code or an alphanumeric address as is', () => {
    const decision = readDeliverSm(
      wire({ source_addr_ton: 5, source_addr: 'BANK', dest_addr_ton: 0, destination_addr: '12345' }),
      AT,
    );
    expect(decision).toMatchObject({ kind: 'inbound', event: { from: 'BANK', to: '12345', body: '' } });
  });

  it.each([
    ['0x08 (UCS-2)', 0x08, encodeText('你好 😀').bytes, '你好 😀'],
    ['0x03 (Latin-1)', 0x03, Buffer.from('déjà vu', 'latin1'), 'déjà vu'],
    ['0x01 (IA5/ASCII, not GSM)', 0x01, Buffer.from('user@example_1$', 'latin1'), 'user@example_1$'],
    ['0x18 (UCS-2, message class group)', 0x18, encodeText('класс 1').bytes, 'класс 1'],
  ])('decodes data_coding %s', (_, dataCoding, bytes, text) => {
    const decision = readDeliverSm(
      wire({ source_addr: '1', data_coding: dataCoding, short_message: bytes }),
      AT,
    );
    expect(decision).toMatchObject({ kind: 'inbound', event: { body: text } });
  });

  it('reads a long MO from message_payload', () => {
    const text = '长'.repeat(100);
    const decision = readDeliverSm(
      wire({ data_coding: 0x08, short_message: Buffer.alloc(0), message_payload: encodeText(text).bytes }),
      AT,
    );
    expect(decision).toMatchObject({ kind: 'inbound', event: { body: text } });
  });
});
