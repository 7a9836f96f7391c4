import { createTestDatabase } from '@maskline/testing';
import { describe, expect, inject, it } from 'vitest';
import { enableWalTiming, readWal } from '../src/wal-stats.js';

describe('wal stats on a real PostgreSQL', () => {
  it('switches WAL timing on and reads counters that grow with writes', async () => {
    const db = await createTestDatabase(inject('postgresUrl'));
    const client = await db.pool.connect();
    try {
      const session = { query: (sql: string) => client.query(sql) } as Parameters<typeof readWal>[0];
      expect(await enableWalTiming(db.pool)).toBe(true);
      const before = (await readWal(session))!;
      expect(before).not.toBeNull();
      await client.query('CREATE TABLE wal_probe (n int)');
      await client.query('INSERT INTO wal_probe SELECT generate_series(1, 1000)');
      // This session's counters now, rather than when it next idles for 10 s.
      await client.query('SELECT pg_stat_force_next_flush()');
      await client.query('SELECT 1');
      const after = (await readWal(session))!;
      expect(after.records).toBeGreaterThan(before.records);
      expect(after.bytes).toBeGreaterThan(before.bytes + 1000);
      expect(after.syncs).toBeGreaterThanOrEqual(before.syncs);
      const { rows } = await client.query<{ track_wal_io_timing: string }>('SHOW track_wal_io_timing');
      expect(rows[0]!.track_wal_io_timing).toBe('on');
    } finally {
      client.release();
      await db.drop();
    }
  });
});
