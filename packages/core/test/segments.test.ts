import { gsm7Length, segmentInfo, splitSegments, UDH16_PART } from '@maskline/core';
import { describe, expect, it } from 'vitest';

const EXTENSION_CHARS = ['€', '{', '[', '~', '\\', '^', '|', '}', ']'];

describe('GSM-7 segments', () => {
  it.each([
    [1, 1],
    [160, 1],
    [161, 2],
    [306, 2],
    [307, 3],
    [459, 3],
    [460, 4],
  ])('%i basic characters -> %i segment(s)', (length, segments) => {
    expect(segmentInfo('a'.repeat(length))).toEqual({ encoding: 'gsm7', units: length, segments });
  });

  it.each(EXTENSION_CHARS)('counts the extension character %s as two septets', (ch) => {
    expect(gsm7Length(ch)).toBe(2);
    expect(segmentInfo(`${'a'.repeat(158)}${ch}`)).toEqual({ encoding: 'gsm7', units: 160, segments: 1 });
    expect(segmentInfo(`${'a'.repeat(159)}${ch}`)).toEqual({ encoding: 'gsm7', units: 161, segments: 2 });
  });

  it('puts 80 euro signs in one segment and 81 in two', () => {
    expect(segmentInfo('€'.repeat(80))).toEqual({ encoding: 'gsm7', units: 160, segments: 1 });
    expect(segmentInfo('€'.repeat(81))).toEqual({ encoding: 'gsm7', units: 162, segments: 2 });
  });

  it('keeps é, £, Ä, Ñ, Ω and newlines in GSM-7 as single septets', () => {
    expect(gsm7Length('é£ÄÑΩ\n')).toBe(6);
    expect(segmentInfo('é'.repeat(160))).toEqual({ encoding: 'gsm7', units: 160, segments: 1 });
    expect(segmentInfo(`Café à ${'x'.repeat(10)}`).encoding).toBe('gsm7');
  });

  it('returns null from gsm7Length for text outside the GSM alphabet', () => {
    expect(gsm7Length('hello 中')).toBeNull();
    expect(gsm7Length('😀')).toBeNull();
    expect(gsm7Length('hello')).toBe(5);
  });
});

describe('UCS-2 segments', () => {
  it.each([
    [70, 1],
    [71, 2],
    [134, 2],
    [135, 3],
    [201, 3],
    [202, 4],
  ])('%i non-GSM characters -> %i segment(s)', (length, segments) => {
    expect(segmentInfo('中'.repeat(length))).toEqual({ encoding: 'ucs2', units: length, segments });
  });

  it('switches the whole message to UCS-2 for one non-GSM character', () => {
    expect(segmentInfo(`${'a'.repeat(69)}中`)).toEqual({ encoding: 'ucs2', units: 70, segments: 1 });
    expect(segmentInfo(`${'a'.repeat(70)}中`)).toEqual({ encoding: 'ucs2', units: 71, segments: 2 });
  });

  it('sends a Chinese verification code as UCS-2 in one segment', () => {
    const text = '【京东】您的验证码5026,该验证码5分钟内有效';
    expect(segmentInfo(text)).toEqual({ encoding: 'ucs2', units: text.length, segments: 1 });
  });

  it('counts an emoji (a surrogate pair) as two UTF-16 units', () => {
    expect(segmentInfo('😀')).toEqual({ encoding: 'ucs2', units: 2, segments: 1 });
    expect(segmentInfo('😀'.repeat(35))).toEqual({ encoding: 'ucs2', units: 70, segments: 1 });
    expect(segmentInfo('😀'.repeat(36))).toEqual({ encoding: 'ucs2', units: 72, segments: 2 });
  });

  it('treats a literal ESC as not GSM-7 text, as the SMPP encoder does', () => {
    expect(segmentInfo('a\u001bb')).toMatchObject({ encoding: 'ucs2', units: 3, segments: 1 });
  });
});

describe('segments are the parts actually sent (splitSegments)', () => {
  it('counts 766 emoji as 24 parts: a part of 67 units holds 33 surrogate pairs, not 33.5', () => {
    const text = '😀'.repeat(766);
    expect(segmentInfo(text)).toEqual({ encoding: 'ucs2', units: 1532, segments: 24 });
    const { encoding, parts } = splitSegments(text);
    expect(encoding).toBe('ucs2');
    expect(parts).toHaveLength(24);
    expect(parts.slice(0, 23).every((p) => p.length === 66)).toBe(true);
    expect(parts.join('')).toBe(text);
  });

  it('never splits a surrogate pair', () => {
    for (const text of ['😀'.repeat(100), `a${'😀'.repeat(100)}`, `${'ж'.repeat(66)}😀${'я'.repeat(5)}`]) {
      const { parts } = splitSegments(text);
      for (const part of parts) {
        expect(part.length).toBeLessThanOrEqual(67);
        expect(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/.test(part)).toBe(false);
      }
      expect(parts.join('')).toBe(text);
      expect(segmentInfo(text).segments).toBe(parts.length);
    }
  });

  it.each(EXTENSION_CHARS)('keeps the extension character %s whole at a part boundary', (ch) => {
    // 152 septets, then a two-septet character that would straddle the 153 boundary.
    const text = `${'a'.repeat(152)}${ch}${'b'.repeat(152)}`;
    const { encoding, parts } = splitSegments(text);
    expect(encoding).toBe('gsm7');
    expect(parts.map((p) => gsm7Length(p))).toEqual([152, 153, 1]);
    expect(parts[1]?.startsWith(ch)).toBe(true);
    // 306 septets would be ceil(306 / 153) = 2 by arithmetic; the carrier sends 3.
    expect(segmentInfo(text)).toEqual({ encoding: 'gsm7', units: 306, segments: 3 });
  });

  it('splits plain GSM-7 into 153-septet parts and keeps a single segment whole', () => {
    expect(splitSegments('a'.repeat(160)).parts).toEqual(['a'.repeat(160)]);
    expect(splitSegments('a'.repeat(161)).parts.map((p) => p.length)).toEqual([153, 8]);
    expect(splitSegments('a'.repeat(1530)).parts).toHaveLength(10);
    expect(segmentInfo('a'.repeat(1530)).segments).toBe(10);
    expect(splitSegments('hello')).toEqual({ encoding: 'gsm7', parts: ['hello'] });
  });

  it('cuts smaller parts for a 16-bit reference UDH (152 septets / 66 units)', () => {
    expect(splitSegments('b'.repeat(305), UDH16_PART).parts.map((p) => p.length)).toEqual([152, 152, 1]);
    expect(splitSegments('ж'.repeat(140), UDH16_PART).parts.map((p) => p.length)).toEqual([66, 66, 8]);
  });
});
