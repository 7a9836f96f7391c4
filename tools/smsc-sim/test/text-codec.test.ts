/// <reference types="@maskline/smpp-types" preserve="true" />
import smpp from 'smpp';
import { describe, expect, it } from 'vitest';
import { concatenationPart, decodeBody, decodeOctets, encodeText } from '../src/text-codec.js';

/** What the smpp package hands the server for these octets: encode and decode a real PDU. */
function received(octets: Buffer, dataCoding: number, esmClass = 0) {
  const pdu = new smpp.PDU('submit_sm', {
    short_message: octets,
    data_coding: dataCoding,
    esm_class: esmClass,
  });
  const parsed = new smpp.PDU(pdu.toBuffer());
  return decodeBody(parsed.short_message, dataCoding);
}

describe('text codec', () => {
  it('decodes GSM 03.38 with the extension table', () => {
    // @ $ € { } [ ] ~ \ ^ | é as unpacked septets, escapes included.
    const septets = Buffer.from([
      0x00, 0x02, 0x1b, 0x65, 0x1b, 0x28, 0x1b, 0x29, 0x1b, 0x3c, 0x1b, 0x3e, 0x1b, 0x3d, 0x1b, 0x2f, 0x1b,
      0x14, 0x1b, 0x40, 0x05,
    ]);
    expect(received(septets, 0x00).text).toBe('@$€{}[]~\\^|é');
  });

  it('decodes IA5 as ASCII, not GSM', () => {
    expect(received(Buffer.from('A@$_{}~\\', 'ascii'), 0x01).text).toBe('A@$_{}~\\');
  });

  it('decodes UCS-2 big-endian, surrogate pairs included, and Latin-1', () => {
    const text = '您的验证码 5026 😀';
    expect(received(Buffer.from(text, 'utf16le').swap16(), 0x08).text).toBe(text);
    expect(received(Buffer.from('Grüße, £5', 'latin1'), 0x03).text).toBe('Grüße, £5');
  });

  it('decodes octets the package left alone, by data_coding', () => {
    expect(decodeOctets(Buffer.from([0x00, 0x1b, 0x65]), 0x00)).toBe('@€');
    expect(decodeOctets(Buffer.from([0x4e, 0x2d, 0x00]), 0x08)).toBe('中');
    expect(received(Buffer.from([0xde, 0xad]), 0x04).text).toBe('\u00de\u00ad');
  });

  it('separates the UDH and reads the concatenation reference', () => {
    const udh8 = Buffer.from([0x05, 0x00, 0x03, 0x07, 0x03, 0x02]);
    const body = received(Buffer.concat([udh8, Buffer.from('part')]), 0x00, 0x40);
    expect(body.text).toBe('part');
    expect(body.octets).toEqual(Buffer.from('part'));
    expect(concatenationPart(body.udh)).toEqual({ scheme: 'udh8', ref: 7, total: 3, seq: 2 });
    const udh16 = [Buffer.from([0x08, 0x04, 0x12, 0x34, 0x02, 0x01])];
    expect(concatenationPart(udh16)).toEqual({ scheme: 'udh16', ref: 0x1234, total: 2, seq: 1 });
    expect(concatenationPart([])).toBeUndefined();
  });

  it('encodes MO text as GSM-7 when it fits, else UCS-2', () => {
    expect(encodeText('Reply €5')).toEqual({
      dataCoding: 0,
      bytes: Buffer.from([0x52, 0x65, 0x70, 0x6c, 0x79, 0x20, 0x1b, 0x65, 0x35]),
    });
    expect(encodeText('好')).toEqual({ dataCoding: 8, bytes: Buffer.from([0x59, 0x7d]) });
    expect(encodeText('a\u001bb').dataCoding).toBe(8);
  });
});

describe('decodeBody octets', () => {
  it('gives back the exact GSM octets the package decoded, extension characters included', () => {
    const text = 'Price: 5€ {x} [y] ~ \\ ^ | @ $ é';
    const octets = smpp.gsmCoder.encode(text, 0x00);
    const wire = new smpp.PDU('submit_sm', {
      destination_addr: '1',
      data_coding: 0,
      short_message: octets,
    }).toBuffer();
    const body = decodeBody(new smpp.PDU(wire).short_message, 0x00);
    expect(body.text).toBe(text);
    expect(body.octets.toString('hex')).toBe(octets.toString('hex'));
  });
});
