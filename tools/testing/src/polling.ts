import type pg from 'pg';

/** Reads until `ok` holds or `ms` passed (every 25 ms); returns the last value read, for the test to assert. */
export async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  let value = await read();
  while (!ok(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
    value = await read();
  }
  return value;
}

/** Counts the statements run through `pool.query` from now on (the repositories' only way in). */
export function countStatements(pool: pg.Pool): () => number {
  let n = 0;
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args) => {
    n += 1;
    return query(...args);
  };
  return () => n;
}
