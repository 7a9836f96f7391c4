/// <reference types="@maskline/smpp-types" preserve="true" />
import smpp from 'smpp';
import { describe, expect, it } from 'vitest';
import { decodeText, encodeGsm7, encodeText, messageParts } from '../src/encoding.js';
import { deliverSmOctets } from '../src/message-octets.js';

const CHINESE = '【京东】您的验证码5026,该验证码5分钟内有效';

describe('encodeText', () => {
  it('encodes Chinese as UCS-2 big-endian, byte for byte, and decodes it back', () => {
    const encoded = encodeText(CHINESE);
    expect(encoded.encoding).toBe('ucs2');
    expect(encoded.dataCoding).toBe(0x08);
    expect(encoded.bytes.toString('hex')).toBe(
      '3010' +
        '4eac' +
        '4e1c' +
        '3011' +
        '60a8' +
        '7684' +
        '9a8c' +
        '8bc1' +
        '7801' +
        '0035' +
        '0030' +
        '0032' +
        '0036' +
        '002c' +
        '8be5' +
        '9a8c' +
        '8bc1' +
        '7801' +
        '0035' +
        '5206' +
        '949f' +
        '5185' +
        '6709' +
        '6548',
    );
    expect(encoded.segments).toBe(1);
    expect(decodeText(encoded.bytes, 0x08)).toBe(CHINESE);
  });

  it.each([
    ['@', [0x00]],
    ['$', [0x02]],
    ['é', [0x05]],
    ['€', [0x1b, 0x65]],
    ['{', [0x1b, 0x28]],
    ['}', [0x1b, 0x29]],
    ['[', [0x1b, 0x3c]],
    [']', [0x1b, 0x3e]],
    ['~', [0x1b, 0x3d]],
    ['\\', [0x1b, 0x2f]],
    ['^', [0x1b, 0x14]],
    ['|', [0x1b, 0x40]],
  ])('encodes %s as GSM-7 septets %j and decodes it back', (ch, septets) => {
    const encoded = encodeText(`a${ch}b`);
    expect(encoded.encoding).toBe('gsm7');
    expect(encoded.dataCoding).toBe(0x00);
    expect([...encoded.bytes]).toEqual([0x61, ...septets, 0x62]);
    expect(decodeText(encoded.bytes, 0x00)).toBe(`a${ch}b`);
  });

  it('encodes every GSM special character with the basic or the escaped extension table', () => {
    const encoded = encodeText('@ $ € { } [ ] ~ \\ ^ | é');
    expect(encoded.encoding).toBe('gsm7');
    expect(encoded.dataCoding).toBe(0x00);
    expect([...encoded.bytes]).toEqual([
      0x00, 0x20, 0x02, 0x20, 0x1b, 0x65, 0x20, 0x1b, 0x28, 0x20, 0x1b, 0x29, 0x20, 0x1b, 0x3c, 0x20, 0x1b,
      0x3e, 0x20, 0x1b, 0x3d, 0x20, 0x1b, 0x2f, 0x20, 0x1b, 0x14, 0x20, 0x1b, 0x40, 0x20, 0x05,
    ]);
  });

  it('encodes form feed through the extension table and refuses a literal ESC', () => {
    expect([...encodeGsm7('a\fb')!]).toEqual([0x61, 0x1b, 0x0a, 0x62]);
    expect(encodeGsm7('a\u001bb')).toBeNull();
    expect(encodeText('a\u001bb').encoding).toBe('ucs2');
  });

  it('falls back to UCS-2 for a character outside GSM 03.38 (and keeps surrogate pairs)', () => {
    const encoded = encodeText('hi 😀');
    expect(encoded.dataCoding).toBe(0x08);
    expect(encoded.bytes.toString('hex')).toBe('00680069' + '0020' + 'd83dde00');
  });

  it('counts segments like the handset', () => {
    expect(encodeText('a'.repeat(160)).segments).toBe(1);
    expect(encodeText('a'.repeat(161)).segments).toBe(2);
    expect(encodeText('€'.repeat(80)).segments).toBe(1); // 160 septets
    expect(encodeText('ж'.repeat(70)).segments).toBe(1);
    expect(encodeText('ж'.repeat(71)).segments).toBe(2);
  });
});

describe('messageParts', () => {
  it.each([
    ['160 GSM septets (unpacked)', 'a'.repeat(160), 160, 0x00],
    ['80 escaped GSM characters', '€'.repeat(80), 160, 0x00],
    ['70 UCS-2 characters', 'ж'.repeat(70), 140, 0x08],
  ])('keeps one segment in short_message: %s', (_, body, octets, dataCoding) => {
    const parts = messageParts(encodeText(body));
    expect(parts).toHaveLength(1);
    expect(parts[0]!.short_message.length).toBe(octets);
    expect(parts[0]!.message_payload).toBeUndefined();
    expect(parts[0]!.data_coding).toBe(dataCoding);
    expect(parts[0]!.esm_class).toBe(0);
  });

  it('moves 161 GSM septets to message_payload', () => {
    const [part] = messageParts(encodeText('a'.repeat(161)), 'payload');
    expect(part!.short_message.length).toBe(0);
    expect(part!.message_payload?.length).toBe(161);
  });

  it('moves a longer body to message_payload with an empty short_message', () => {
    const parts = messageParts(encodeText('ж'.repeat(71)), 'payload'); // 142 octets
    expect(parts).toHaveLength(1);
    expect(parts[0]!.short_message.length).toBe(0);
    expect(parts[0]!.message_payload?.length).toBe(142);
    expect(parts[0]!.data_coding).toBe(0x08);
  });

  it('survives the smpp codec unchanged (the package does not re-encode our Buffer)', () => {
    const encoded = encodeText(CHINESE.repeat(3));
    const pdu = new smpp.PDU('submit_sm', { destination_addr: '1', ...messageParts(encoded, 'payload')[0] });
    const decoded = new smpp.PDU(pdu.toBuffer());
    expect(decoded.data_coding).toBe(0x08);
    expect(deliverSmOctets(decoded as unknown as Record<string, unknown>).equals(encoded.bytes)).toBe(true);
  });
});

describe('decodeText', () => {
  it('decodes GSM 03.38 including the extension table', () => {
    const bytes = encodeGsm7('Hi @ € {x} [y] ~ \\ ^ | é')!;
    expect(decodeText(bytes, 0x00)).toBe('Hi @ € {x} [y] ~ \\ ^ | é');
  });

  it('decodes UCS-2, Latin-1 and ASCII', () => {
    expect(decodeText(Buffer.from('30104eac', 'hex'), 0x08)).toBe('【京');
    expect(decodeText(Buffer.from('caf\u00e9', 'latin1'), 0x03)).toBe('café');
    expect(decodeText(Buffer.from('a@b_c$', 'latin1'), 0x01)).toBe('a@b_c$');
  });

  it('gets exact octets back from a deliver_sm the package already decoded', () => {
    for (const [dataCoding, bytes] of [
      [0x00, encodeGsm7('€ [ok] @ home')!],
      [0x01, Buffer.from('user@example_1$', 'latin1')],
      [0x03, Buffer.from('déjà vu', 'latin1')],
      [0x08, encodeText('你好 😀').bytes],
      [0x04, Buffer.from([0, 1, 2, 255])],
    ] as const) {
      const wire = new smpp.PDU('deliver_sm', { data_coding: dataCoding, short_message: bytes }).toBuffer();
      const pdu = new smpp.PDU(wire) as unknown as Record<string, unknown>;
      expect(deliverSmOctets(pdu).equals(bytes)).toBe(true);
    }
  });
});
