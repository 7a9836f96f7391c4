import { describe, expect, it } from 'vitest';
import { walLine, walSince } from '../src/wal-stats.js';

describe('wal stats', () => {
  const before = { records: 100, bytes: 10_240, syncs: 10, syncMs: 5 };
  const after = { records: 4_100, bytes: 2_058_240, syncs: 510, syncMs: 1_005 };

  it('counts what the run added and reads it per delivered message', () => {
    const w = walSince(after, before, true);
    expect(w).toEqual({ records: 4_000, bytes: 2_048_000, syncs: 500, syncMs: 1_000, timed: true });
    expect(walLine(w, 1_000)).toBe(
      'PostgreSQL WAL (pg_stat_wal): 500 fsyncs, 0.50 per delivered message, 2.00 ms per fsync (1000 ms in all); 4.0 records and 2.0 KiB per delivered message.',
    );
  });

  it('says when the fsync time was not measured', () => {
    expect(walLine(walSince(after, before, false), 1_000)).toContain('(fsync time not measured');
  });
});
