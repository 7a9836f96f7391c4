import { createHash } from 'node:crypto';
import type { RedisClient } from './redis-connection.js';

/**
 * A Lua script run by its SHA1 (EVALSHA), loaded by one EVAL the first time a server does
 * not know it (NOSCRIPT: a fresh, restarted or failed-over server, or another cluster
 * node). A plain EVAL sends the whole source with every call and makes Redis hash it
 * again to find the compiled function: for the ingest's limits script that is ~1 KiB
 * copied and hashed per API request, for a 40-character digest's worth of work.
 */
export class LuaScript {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(
    redis: RedisClient,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}
