/** One page of a keyset-paged list: `nextCursor` is the last item's key, null on the last page. */
export interface KeysetPage<T> {
  data: T[];
  nextCursor: string | null;
}

/**
 * Builds a page from rows fetched with `LIMIT limit + 1`: the extra row only tells that
 * another page exists.
 */
export function keysetPage<R, T>(
  rows: readonly R[],
  limit: number,
  view: (row: R) => T,
  keyOf: (row: R) => string,
): KeysetPage<T> {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    data: page.map(view),
    nextCursor: rows.length > limit && last !== undefined ? keyOf(last) : null,
  };
}
