import type pg from 'pg';

/** One statement a pool ran, with the indexes PostgreSQL's plan for it reads. */
export interface PlannedStatement {
  text: string;
  indexes: string[];
  /**
   * Nested loops that rescan a CTE for every outer row: a join of two CTEs planned from an
   * estimate of one row, quadratic in the batch's size.
   */
  cteRescans: number;
}

interface PlanNode {
  'Node Type'?: string;
  'Index Name'?: string;
  'Parent Relationship'?: string;
  Plans?: PlanNode[];
}

function cteRescansOf(node: PlanNode): number {
  const own =
    node['Node Type'] === 'Nested Loop' &&
    (node.Plans ?? []).some((c) => c['Parent Relationship'] === 'Inner' && c['Node Type'] === 'CTE Scan')
      ? 1
      : 0;
  return own + (node.Plans ?? []).reduce((n, c) => n + cteRescansOf(c), 0);
}

function indexesOf(node: PlanNode, into: Set<string>): Set<string> {
  if (node['Index Name']) into.add(node['Index Name']);
  for (const child of node.Plans ?? []) indexesOf(child, into);
  return into;
}

/**
 * Records the plan of every statement `pool` runs from now on: before running it, the
 * same text and values go through `EXPLAIN (FORMAT JSON)` on `explainer` (a custom plan:
 * PostgreSQL plans with the values, as it does for a statement's first executions).
 * EXPLAIN without ANALYZE executes nothing, so data-modifying statements stay as they are.
 */
export function recordPlans(pool: pg.Pool, explainer: pg.Pool): PlannedStatement[] {
  const planned: PlannedStatement[] = [];
  const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
  (pool as unknown as { query: (...args: unknown[]) => unknown }).query = async (...args: unknown[]) => {
    const [first, second] = args;
    const config = typeof first === 'string' ? { text: first, values: second } : (first as pg.QueryConfig);
    const { rows } = await explainer.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(
      `EXPLAIN (FORMAT JSON) ${config.text}`,
      (config.values as unknown[] | undefined) ?? [],
    );
    const plan = rows[0]!['QUERY PLAN'][0]!.Plan;
    planned.push({
      text: config.text,
      indexes: [...indexesOf(plan, new Set())],
      cteRescans: cteRescansOf(plan),
    });
    return query(...args);
  };
  return planned;
}
