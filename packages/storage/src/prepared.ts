import { createHash } from 'node:crypto';

const names = new Map<string, string>();

/**
 * A statement PostgreSQL prepares once per connection and then only executes: the query
 * config of `text` with a name derived from the text. Sent unnamed (pg's default), every
 * execution is parsed and planned anew, which for the pipeline's batch statements (CTEs over
 * unnest) costs as much as running them when a batch carries a few messages
 * (docs/performance.md). Only for statements whose text never varies: each distinct text is
 * one prepared statement on every connection that runs it.
 */
export function prepared<V extends unknown[]>(
  text: string,
  values: V,
): { name: string; text: string; values: V } {
  let name = names.get(text);
  if (!name) {
    name = `ml_${createHash('sha256').update(text).digest('hex').slice(0, 20)}`;
    names.set(text, name);
  }
  return { name, text, values };
}
