import { gsm7Length, segmentInfo } from '@maskline/core';
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
