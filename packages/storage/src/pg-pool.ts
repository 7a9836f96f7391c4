import type { OutageTracker } from '@maskline/core';
import pg from 'pg';
import { isPgUnavailable } from './pg-errors.js';

export interface PgPoolOptions {
  connectionString: string;
  max?: number;
  applicationName?: string;
  /**
   * Told about every connection failure (lost idle client, failed connect, statement cut
   * off) and every answer from the server, so an outage is logged and counted once per
   * state change instead of per request, and never silently swallowed.
   */
  monitor?: Pick<OutageTracker, 'failed' | 'succeeded'>;
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
  const monitor = options.monitor;
  // An idle client losing its connection emits 'error' on the pool; without a listener
  // that would crash the process. The next query gets a fresh client.
  pool.on('error', (error) => monitor?.failed(error));
  // A checked-out client has no listener of the pool's (pg-pool removes it at checkout):
  // its connection ending (PostgreSQL restarted) emitted an unhandled 'error' and killed
  // the process. Its queries still fail with the error, and release() drops the client.
  pool.on('connect', (client) => client.on('error', (error) => monitor?.failed(error)));
  if (monitor) watchConnections(pool, monitor);
  return pool;
}

function watchConnections(pool: pg.Pool, monitor: NonNullable<PgPoolOptions['monitor']>): void {
  // Every query gives its client back with the query's error (or none): any answer from
  // the server, even a failed statement, means PostgreSQL is reachable.
  pool.on('release', (error: Error | undefined) => {
    if (error && isPgUnavailable(error)) monitor.failed(error);
    else monitor.succeeded();
  });
  pool.on('connect', () => monitor.succeeded(true));
  // A connect that fails emits nothing on the pool: watch connect() itself (pool.query
  // goes through it too).
  const connect = pool.connect.bind(pool) as (cb?: (...args: unknown[]) => void) => unknown;
  const watched = (cb?: (...args: unknown[]) => void): unknown => {
    if (cb) {
      return connect((error: unknown, ...rest: unknown[]) => {
        if (error) monitor.failed(error);
        cb(error, ...rest);
      });
    }
    return (connect() as Promise<pg.PoolClient>).catch((error: unknown) => {
      monitor.failed(error);
      throw error;
    });
  };
  pool.connect = watched as typeof pool.connect;
}
