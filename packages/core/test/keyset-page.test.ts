import { describe, expect, it } from 'vitest';
import { keysetPage } from '../src/ids/keyset-page.js';

describe('keysetPage', () => {
  const rows = [{ id: 'c' }, { id: 'b' }, { id: 'a' }];
  const view = (r: { id: string }) => r.id.toUpperCase();

  it('drops the look-ahead row and names the last shown key as the cursor', () => {
    expect(keysetPage(rows, 2, view, (r) => r.id)).toEqual({ data: ['C', 'B'], nextCursor: 'b' });
  });

  it('has no cursor on the last page', () => {
    expect(keysetPage(rows, 3, view, (r) => r.id)).toEqual({ data: ['C', 'B', 'A'], nextCursor: null });
    expect(keysetPage([], 3, view, (r: { id: string }) => r.id)).toEqual({ data: [], nextCursor: null });
  });
});
