/// <reference types="@maskline/smpp-types" preserve="true" />

import { segmentInfo } from '@maskline/core';
import smpp from 'smpp';
import { describe, expect, it } from 'vitest';
import { decodeText, encodeText, messageParts } from '../src/encoding.js';

const hex = (b: Buffer) => b.toString('hex');
/** The body of a part without its UDH. */
const body = (short: Buffer) => short.subarray(short[0]! + 1);

describe('messageParts: UDH concatenation, byte-exact', () => {
  it('splits 161 GSM septets into 153 + 8 with an 8-bit reference UDH', () => {
    const parts = messageParts(encodeText('a'.repeat(161)), 'udh8', 0x1a7);
    expect(parts).toHaveLength(2);
    expect(parts.map((p) => p.esm_class)).toEqual([0x40, 0x40]);
    expect(hex(parts[0]!.short_message.subarray(0, 6))).toBe('050003a70201');
    expect(hex(parts[1]!.short_message.subarray(0, 6))).toBe('050003a70202');
    expect(body(parts[0]!.short_message)).toEqual(Buffer.alloc(153, 0x61));
    expect(body(parts[1]!.short_message)).toEqual(Buffer.alloc(8, 0x61));
  });

  it('uses a 16-bit reference UDH (152 septets a part) when asked', () => {
    const parts = messageParts(encodeText('b'.repeat(305)), 'udh16', 0xbeef);
    expect(parts.map((p) => hex(p.short_message.subarray(0, 7)))).toEqual([
      '060804beef0301',
      '060804beef0302',
      '060804beef0303',
    ]);
    expect(parts.map((p) => body(p.short_message).length)).toEqual([152, 152, 1]);
  });

  it('never splits a GSM escape sequence across parts', () => {
    // 152 plain septets, then "€" (ESC 0x65): the escape would straddle the 153 boundary.
    const text = `${'c'.repeat(152)}€${'d'.repeat(10)}`;
    const parts = messageParts(encodeText(text), 'udh8', 1);
    const [first, second] = parts.map((p) => body(p.short_message));
    expect(first).toEqual(Buffer.alloc(152, 0x63));
    expect(hex(second!.subarray(0, 3))).toBe('1b6564');
    expect(parts.map((p) => decodeText(body(p.short_message), 0)).join('')).toBe(text);
  });

  it('keeps every part within 153 septets for a body of escapes only', () => {
    const text = '{'.repeat(100); // 200 septets, all two-septet characters
    const chunks = messageParts(encodeText(text), 'udh8', 1).map((p) => body(p.short_message));
    expect(chunks.map((c) => c.length)).toEqual([152, 48]);
    for (const chunk of chunks) expect(chunk[chunk.length - 1]).not.toBe(0x1b);
  });

  it('splits UCS-2 into 67-unit parts and never splits a surrogate pair', () => {
    const text = `${'ж'.repeat(66)}😀${'я'.repeat(5)}`; // the emoji's high surrogate would be unit 67
    const parts = messageParts(encodeText(text), 'udh8', 9);
    expect(parts).toHaveLength(2);
    const [first, second] = parts.map((p) => body(p.short_message));
    expect(first!.length).toBe(132); // 66 units: the pair moved whole to the next part
    expect(hex(second!.subarray(0, 4))).toBe('d83dde00');
    expect(parts.map((p) => p.data_coding)).toEqual([8, 8]);
    expect(decodeText(Buffer.concat([first!, second!]), 8)).toBe(text);
  });

  it('fills UCS-2 parts to 134 octets (udh8) and 132 (udh16)', () => {
    const udh8 = messageParts(encodeText('ж'.repeat(140)), 'udh8', 2);
    expect(udh8.map((p) => body(p.short_message).length)).toEqual([134, 134, 12]);
    const parts = messageParts(encodeText('ж'.repeat(140)), 'udh16', 2);
    expect(parts.map((p) => body(p.short_message).length)).toEqual([132, 132, 16]);
  });

  it('sends as many parts as the ingest counted: 766 emoji are 24 parts, and the 202 says 24', () => {
    const text = '😀'.repeat(766); // 1532 UTF-16 units; a part holds 33 emoji (66 units)
    const parts = messageParts(encodeText(text), 'udh8', 3);
    expect(parts).toHaveLength(24);
    expect(segmentInfo(text).segments).toBe(24);
    expect(encodeText(text).segments).toBe(24);
    expect(decodeText(Buffer.concat(parts.map((p) => body(p.short_message))), 8)).toBe(text);
  });

  it.each([
    ['plain GSM-7', 'g'.repeat(1530)],
    ['GSM-7 extensions straddling every boundary', `${'h'.repeat(152)}€`.repeat(9)],
    ['extensions only', '{'.repeat(765)],
    ['UCS-2 with a surrogate pair at each boundary', `${'ж'.repeat(66)}😀`.repeat(10)],
    ['mixed emoji and CJK', '你😀'.repeat(300)],
    ['one segment exactly (GSM-7)', 'i'.repeat(160)],
    ['one segment exactly (UCS-2)', '😀'.repeat(35)],
  ])('agrees with the ingest count for %s (udh8 and sar)', (_label, text) => {
    const counted = segmentInfo(text).segments;
    for (const mode of ['udh8', 'sar'] as const) {
      const parts = messageParts(encodeText(text), mode, 4);
      expect(parts).toHaveLength(counted);
      for (const part of parts) expect(part.short_message.length).toBeLessThanOrEqual(160);
    }
  });

  it('sends SAR TLVs instead of a UDH, with the parts sized as udh8', () => {
    const parts = messageParts(encodeText('e'.repeat(200)), 'sar', 0x1234);
    expect(parts).toHaveLength(2);
    expect(parts[0]).toMatchObject({
      esm_class: 0,
      sar_msg_ref_num: 0x1234,
      sar_total_segments: 2,
      sar_segment_seqnum: 1,
    });
    expect(parts[1]).toMatchObject({ sar_segment_seqnum: 2 });
    expect(parts.map((p) => p.short_message.length)).toEqual([153, 47]);
  });

  it('keeps a single segment whole in every mode', () => {
    for (const mode of ['udh8', 'udh16', 'sar', 'payload'] as const) {
      const parts = messageParts(encodeText('hello'), mode, 5);
      expect(parts).toEqual([{ esm_class: 0, data_coding: 0, short_message: Buffer.from('hello') }]);
    }
  });

  it('refuses more than 255 parts', () => {
    expect(() => messageParts(encodeText('x'.repeat(153 * 255 + 1)), 'udh8', 0)).toThrow(RangeError);
  });

  it('goes through the smpp codec unchanged: UDH, esm_class and SAR TLVs on the wire', () => {
    for (const part of [
      ...messageParts(encodeText('【京东】'.repeat(30)), 'udh16', 0x0102),
      ...messageParts(encodeText('f'.repeat(170)), 'sar', 7),
    ]) {
      const wire = new smpp.PDU('submit_sm', { destination_addr: '1', ...part }).toBuffer();
      const decoded = new smpp.PDU(wire);
      expect(decoded.esm_class).toBe(part.esm_class);
      expect(decoded.sar_msg_ref_num).toBe(part.sar_msg_ref_num);
      expect(decoded.sar_segment_seqnum).toBe(part.sar_segment_seqnum);
      const bytes = wire.subarray(wire.indexOf(part.short_message));
      expect(bytes.subarray(0, part.short_message.length)).toEqual(part.short_message);
    }
  });
});
