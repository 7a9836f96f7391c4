/**
 * `--pg-statements`: which statements PostgreSQL spent its time on during the run, from
 * pg_stat_statements (shipped with Debian's postgresql package; loaded only for this flag,
 * since it costs the server a little on every statement). Statements are normalised by
 * the server (constants become $n), so no message content reaches the report; statements
 * run inside functions (webhook_message_status) are tracked too.
 */

interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

export const PG_STATEMENTS_SETTINGS: Readonly<Record<string, string>> = {
  shared_preload_libraries: 'pg_stat_statements',
  'pg_stat_statements.track': 'all',
  // Planning is counted apart from execution: statements sent unprepared are planned anew each time.
  'pg_stat_statements.track_planning': 'on',
  'pg_stat_statements.max': '1000',
};

export interface StatementCost {
  /** The normalised statement, whitespace collapsed, cut at 160 characters. */
  query: string;
  calls: number;
  rows: number;
  totalMs: number;
  /** Time spent planning it (track_planning), ms. */
  planMs: number;
  /** Nested in another statement (a function's body): its time is also in its caller's. */
  nested: boolean;
}

/** Creates the extension (superuser) and clears its counters; false when it is not loaded. */
export async function resetStatements(pool: Queryable): Promise<boolean> {
  try {
    await pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await pool.query('SELECT pg_stat_statements_reset()');
    return true;
  } catch {
    return false;
  }
}

/** Collapses whitespace and cuts a statement for a table cell. */
export function shortStatement(sql: string, max = 160): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The `top` statements by execution plus planning time since the reset. */
export async function readStatements(pool: Queryable, top = 15): Promise<StatementCost[]> {
  const { rows } = await pool.query<{
    query: string;
    calls: string;
    rows: string;
    total_ms: number;
    plan_ms: number;
    toplevel: boolean;
  }>(
    `SELECT query, calls, rows, total_exec_time AS total_ms, total_plan_time AS plan_ms, toplevel
     FROM pg_stat_statements
     WHERE query NOT ILIKE '%pg_stat_statements%'
     ORDER BY total_exec_time + total_plan_time DESC LIMIT $1`,
    [top],
  );
  return rows.map((r) => ({
    query: shortStatement(r.query),
    calls: Number(r.calls),
    rows: Number(r.rows),
    totalMs: Number(r.total_ms),
    planMs: Number(r.plan_ms),
    nested: !r.toplevel,
  }));
}

/** The report's table: per delivered message, calls and time. */
export function statementsTable(costs: readonly StatementCost[], delivered: number): string {
  const per = Math.max(1, delivered);
  const lines = [
    '| statement | calls | calls / msg | rows / call | exec ms | exec µs / msg | plan µs / msg |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const c of costs) {
    const cell = `\`${c.query.replace(/\|/g, '\\|').replace(/`/g, "'")}\`${c.nested ? ' (nested)' : ''}`;
    lines.push(
      `| ${cell} | ${c.calls} | ${(c.calls / per).toFixed(3)} | ${(c.rows / Math.max(1, c.calls)).toFixed(1)} | ${c.totalMs.toFixed(0)} | ${((c.totalMs * 1000) / per).toFixed(1)} | ${((c.planMs * 1000) / per).toFixed(1)} |`,
    );
  }
  return lines.join('\n');
}
