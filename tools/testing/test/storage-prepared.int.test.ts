import { prepared } from '@maskline/storage';
import { createTestDatabase } from '@maskline/testing';
import { describe, expect, inject, it } from 'vitest';

describe('prepared statements', () => {
  it('names a statement by its text, so each connection prepares it once', async () => {
    const a = prepared('SELECT $1::int + 1 AS n', [1]);
    expect(prepared('SELECT $1::int + 1 AS n', [2]).name).toBe(a.name);
    expect(prepared('SELECT $1::int + 2 AS n', [1]).name).not.toBe(a.name);
    expect(a.name).toMatch(/^ml_[0-9a-f]{20}$/);

    const db = await createTestDatabase(inject('postgresUrl'));
    const client = await db.pool.connect();
    try {
      expect((await client.query<{ n: number }>(a)).rows).toEqual([{ n: 2 }]);
      expect((await client.query<{ n: number }>(prepared('SELECT $1::int + 1 AS n', [41]))).rows).toEqual([
        { n: 42 },
      ]);
      const { rows } = await client.query<{ name: string }>('SELECT name FROM pg_prepared_statements');
      expect(rows.map((r) => r.name)).toEqual([a.name]);
    } finally {
      client.release();
      await db.drop();
    }
  });
});
