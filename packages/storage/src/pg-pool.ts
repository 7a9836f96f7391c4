import pg from 'pg';

export interface PgPoolOptions {
  connectionString: string;
  max?: number;
  applicationName?: string;
}

/** A pg pool with the settings every Maskline process uses. */
export function createPgPool(options: PgPoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'maskline',
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
  });
  // An idle client losing its connection emits 'error' on the pool; without a listener
  // that would crash the process. The next query gets a fresh client.
  pool.on('error', () => {});
  return pool;
}
