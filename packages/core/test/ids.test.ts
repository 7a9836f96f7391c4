import { isUuid, uuidv7 } from '@maskline/core';
import { describe, expect, it } from 'vitest';

const V7_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function timestampOf(id: string): number {
  return Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}

describe('uuidv7', () => {
  it('has the canonical lowercase 8-4-4-4-12 shape', () => {
    for (let i = 0; i < 100; i++) expect(uuidv7()).toMatch(V7_SHAPE);
  });

  it('sets the version nibble to 7 and the RFC 9562 variant bits to 10', () => {
    for (let i = 0; i < 100; i++) {
      const id = uuidv7();
      expect(id[14]).toBe('7');
      expect('89ab').toContain(id[19]);
    }
  });

  it('encodes the millisecond timestamp in the first 48 bits', () => {
    for (const ms of [0, 1, 255, 256, 1_700_000_000_000, 1_764_043_200_123, 2 ** 48 - 1]) {
      const id = uuidv7(ms);
      expect(timestampOf(id)).toBe(ms);
      expect(id.replace(/-/g, '').slice(0, 12)).toBe(ms.toString(16).padStart(12, '0'));
    }
  });

  it('uses the current time by default', () => {
    const before = Date.now();
    const id = uuidv7();
    const after = Date.now();
    expect(timestampOf(id)).toBeGreaterThanOrEqual(before);
    expect(timestampOf(id)).toBeLessThanOrEqual(after);
  });

  it('sorts in time order as plain strings for increasing timestamps', () => {
    const times = [
      0, 1, 15, 16, 255, 256, 4_095, 4_096, 1_600_000_000_000, 1_700_000_000_000, 1_700_000_000_001,
    ];
    const ids = times.map((t) => uuidv7(t));
    expect([...ids].sort()).toEqual(ids);
  });

  it('is unique, even within one millisecond', () => {
    const now = 1_764_043_200_000;
    const ids = new Set(Array.from({ length: 10_000 }, () => uuidv7(now)));
    expect(ids.size).toBe(10_000);
  });

  it('is accepted by isUuid', () => {
    expect(isUuid(uuidv7())).toBe(true);
  });
});

describe('isUuid', () => {
  it('accepts RFC 9562 uuids of any version, in either case', () => {
    expect(isUuid('01a21146-e3d6-7840-b0f7-e9fd43180216')).toBe(true);
    expect(isUuid('3f2504e0-4f89-41d3-9a0c-0305e82c3301')).toBe(true);
    expect(isUuid('3F2504E0-4F89-41D3-9A0C-0305E82C3301')).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['garbage', 'not-a-uuid'],
    ['no dashes', '01a21146e3d67840b0f7e9fd43180216'],
    ['too short', '01a21146-e3d6-7840-b0f7-e9fd4318021'],
    ['non-hex', '01a21146-e3d6-7840-b0f7-e9fd4318021g'],
    ['version 0', '01a21146-e3d6-0840-b0f7-e9fd43180216'],
    ['version 9', '01a21146-e3d6-9840-b0f7-e9fd43180216'],
    ['wrong variant', '01a21146-e3d6-7840-c0f7-e9fd43180216'],
    ['surrounding spaces', ' 01a21146-e3d6-7840-b0f7-e9fd43180216 '],
    ['a number', 42],
    ['null', null],
    ['undefined', undefined],
  ])('rejects %s', (_label, value) => {
    expect(isUuid(value)).toBe(false);
  });
});
