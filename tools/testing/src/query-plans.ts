import type pg from 'pg';

/** One statement a pool ran, with the indexes PostgreSQL's plan for it reads. */
export interface PlannedStatement {
  text: string;
  indexes: string[];
}

interface PlanNode {
  'Index Name'?: string;
  Plans?: PlanNode[];
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
    planned.push({ text: config.text, indexes: [...indexesOf(rows[0]!['QUERY PLAN'][0]!.Plan, new Set())] });
    return query(...args);
  };
  return planned;
}
