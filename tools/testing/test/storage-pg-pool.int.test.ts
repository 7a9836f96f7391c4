import { createPgPool } from '@maskline/storage';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../src/test-database.js';

/**
 * A client checked out of the pool (a transaction, the audit log) whose connection dies
 * (PostgreSQL restarted, the backend terminated) must not take the process down: pg-pool
 * removes its own error listener at checkout, and an 'error' event nobody listens to is
 * thrown. The failure is reported to the outage monitor instead, and the pool recovers.
 */
describe('pg pool: a checked-out client losing its connection', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
  });
  afterAll(async () => {
    await db.drop();
  });

  it('reports the error, fails only that client, and the pool serves the next query', async () => {
    const failures: unknown[] = [];
    const pool = createPgPool({
      connectionString: db.url,
      max: 2,
      monitor: { failed: (e) => void failures.push(e), succeeded: () => {} },
    });
    const client = await pool.connect();
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const errored = new Promise<void>((resolve) => client.once('error', () => resolve()));
    await db.pool.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
    await errored;
    // Without a listener of ours, the event above would be thrown once the test's own
    // `once` listener is gone: emit again, as pg does for a second socket error.
    expect(() => client.emit('error', new Error('Connection terminated unexpectedly'))).not.toThrow();
    await expect(client.query('SELECT 1')).rejects.toThrow();
    client.release(true);
    expect(failures.length).toBeGreaterThan(0);
    expect((await pool.query('SELECT 1 AS ok')).rows[0]).toEqual({ ok: 1 });
    await pool.end();
  });
});
