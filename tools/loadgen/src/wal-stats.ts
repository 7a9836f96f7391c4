/**
 * PostgreSQL's own WAL counters (pg_stat_wal, PostgreSQL 14+) around a run: how many
 * times the WAL was fsynced and how long that took in total, which the client cannot
 * tell apart from the INSERT it waits on (Server-Timing's `insert` holds both). Sync
 * times need track_wal_io_timing, which the harness switches on for its own server.
 * Backends report their counters when idle, within PGSTAT_IDLE_INTERVAL (10 s): read
 * them that long after the load stops (STATS_SETTLE_MS).
 */

/** How long after the load to wait before the closing reading. */
export const STATS_SETTLE_MS = 11_000;

/** What is used of a pg.Pool (the bench's superuser pool on its own server). */
interface Queryable {
  query<R extends object>(sql: string): Promise<{ rows: R[] }>;
}

export interface WalReading {
  /** WAL records generated (pg_stat_wal: reported by each backend within ~10 s of idling). */
  records: number;
  /** WAL bytes generated (from the WAL position itself: exact, no reporting lag). */
  bytes: number;
  /** issue_xlog_fsync calls (backends flushing at commit, and the WAL writer). */
  syncs: number;
  /** Their total time, ms (0 without track_wal_io_timing). */
  syncMs: number;
}

export interface WalFigures extends WalReading {
  /** False when track_wal_io_timing could not be switched on: syncMs is not measured. */
  timed: boolean;
}

/** Switches track_wal_io_timing on (superuser); false when it could not. */
export async function enableWalTiming(pool: Queryable): Promise<boolean> {
  try {
    await pool.query('ALTER SYSTEM SET track_wal_io_timing = on');
    await pool.query('SELECT pg_reload_conf()');
    return true;
  } catch {
    return false;
  }
}

export async function readWal(pool: Queryable): Promise<WalReading | null> {
  try {
    const { rows } = await pool.query<{ records: string; bytes: string; syncs: string; sync_ms: string }>(
      `SELECT wal_records AS records, pg_current_wal_lsn() - '0/0'::pg_lsn AS bytes,
              wal_sync AS syncs, wal_sync_time AS sync_ms
       FROM pg_stat_wal`,
    );
    const r = rows[0];
    if (!r) return null;
    return {
      records: Number(r.records),
      bytes: Number(r.bytes),
      syncs: Number(r.syncs),
      syncMs: Number(r.sync_ms),
    };
  } catch {
    return null; // not PostgreSQL 14–17's pg_stat_wal
  }
}

/** The counters' growth from `before` to `after`. */
export function walSince(after: WalReading, before: WalReading, timed: boolean): WalFigures {
  return {
    records: after.records - before.records,
    bytes: after.bytes - before.bytes,
    syncs: after.syncs - before.syncs,
    syncMs: after.syncMs - before.syncMs,
    timed,
  };
}

/** One line for the report, per delivered message where it helps. */
export function walLine(w: WalFigures, delivered: number): string {
  const per = Math.max(1, delivered);
  const sync = w.timed
    ? `, ${(w.syncs ? w.syncMs / w.syncs : 0).toFixed(2)} ms per fsync (${w.syncMs.toFixed(0)} ms in all)`
    : ' (fsync time not measured: track_wal_io_timing could not be set)';
  return `PostgreSQL WAL (pg_stat_wal): ${w.syncs.toLocaleString('en-US')} fsyncs, ${(w.syncs / per).toFixed(2)} per delivered message${sync}; ${(w.records / per).toFixed(1)} records and ${(w.bytes / per / 1024).toFixed(1)} KiB per delivered message.`;
}
