import { createPgPool } from '@maskline/storage';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../src/test-database.js';

describe('a pool client that loses its connection while checked out', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
  });
  afterAll(() => db?.drop());

  it('is reported to the monitor instead of crashing the process, and the pool serves again', async () => {
    const failures: unknown[] = [];
    const pool = createPgPool({
      connectionString: db.url,
      max: 2,
      monitor: { failed: (error) => failures.push(error), succeeded: () => {} },
    });
    try {
      // Held between two statements, as a transaction does: PostgreSQL going away now
      // reaches the client as an 'error' event with no query to fail.
      const client = await pool.connect();
      await client.query('BEGIN');
      const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      await db.pool.query('SELECT pg_terminate_backend($1)', [pid]);
      for (let waited = 0; failures.length === 0 && waited < 5_000; waited += 20) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(failures.length).toBeGreaterThan(0);
      client.release(true);
      expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
    } finally {
      await pool.end();
    }
  });
});
