import { MasklineError, type OutageTracker } from '@maskline/core';
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import { defineQueueCommands } from './queue-commands.js';

/** A connection to one Redis server or to a Redis Cluster: every app accepts either. */
export type RedisClient = Redis | Cluster;

/**
 * Where Redis is: one server (`url`), or a Redis Cluster reached through `clusterNodes`
 * (seed `host:port`s; the client learns the other nodes from them). In cluster mode
 * `url` only lends its username and password to every node, and `queuePrefix` must carry
 * a hash tag (see hasHashTag).
 */
export interface RedisTarget {
  url: string;
  clusterNodes?: readonly string[] | undefined;
  queuePrefix?: string | undefined;
}

type Monitor = Pick<OutageTracker, 'failed' | 'succeeded'>;

const reconnectDelay = (times: number) => Math.min(100 * 2 ** Math.min(times, 6), 5_000);

/**
 * ioredis connections as BullMQ wants them. Workers need maxRetriesPerRequest: null (a
 * blocking command must wait through a reconnect); producers fail fast instead so an
 * HTTP request is not held while Redis is away.
 *
 * `monitor` hears every connection error and every (re)connect, so a Redis outage is
 * logged and counted once per state change instead of being swallowed.
 *
 * Given a target with `clusterNodes`, the connection is an ioredis Cluster with the same
 * role semantics; it follows MOVED/ASK redirections and, when a master dies, refreshes
 * the slot map and retries on the promoted replica.
 */
export function createRedisConnection(url: string, role: 'producer' | 'worker', monitor?: Monitor): Redis;
export function createRedisConnection(
  target: RedisTarget,
  role: 'producer' | 'worker',
  monitor?: Monitor,
): RedisClient;
export function createRedisConnection(
  target: string | RedisTarget,
  role: 'producer' | 'worker',
  monitor?: Monitor,
): RedisClient {
  const { url, clusterNodes, queuePrefix } = typeof target === 'string' ? { url: target } : target;
  const options: RedisOptions = {
    maxRetriesPerRequest: role === 'worker' ? null : 2,
    enableReadyCheck: true,
    enableAutoPipelining: true,
    connectTimeout: 5_000,
    retryStrategy: reconnectDelay,
    lazyConnect: false,
  };
  const redis =
    clusterNodes && clusterNodes.length > 0
      ? createCluster(url, clusterNodes, queuePrefix, options)
      : new Redis(url, options);
  // Connection errors are retried by ioredis; without a listener they would be thrown.
  redis.on('error', (error: unknown) => monitor?.failed(error));
  // Before anything is sent: BullMQ defining them later can break an open auto-pipeline.
  defineQueueCommands(redis);
  // 'ready' is the only success ioredis reports: it proves recovery at once.
  if (monitor) redis.on('ready', () => monitor.succeeded(true));
  return redis;
}

function createCluster(
  url: string,
  seeds: readonly string[],
  queuePrefix: string | undefined,
  options: RedisOptions,
): Cluster {
  requireClusterPrefix(queuePrefix);
  const credentials = credentialsOf(url);
  const nodeOptions: RedisOptions = {
    maxRetriesPerRequest: options.maxRetriesPerRequest ?? null,
    enableReadyCheck: true,
    connectTimeout: options.connectTimeout ?? 5_000,
    ...credentials,
  };
  const clusterOptions: ClusterOptions = {
    redisOptions: nodeOptions,
    enableReadyCheck: true,
    enableAutoPipelining: true,
    lazyConnect: false,
    // Whole-cluster reconnects (every seed unreachable) back off like a single server's.
    clusterRetryStrategy: reconnectDelay,
    // A master lost: wait for its replica's promotion, refresh the slot map, retry there.
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    retryDelayOnTryAgain: 100,
    retryDelayOnMoved: 0,
    maxRedirections: 32,
    slotsRefreshTimeout: 2_000,
    slotsRefreshInterval: 5_000,
    scaleReads: 'master',
  };
  return new QueueCluster(seeds.map(parseClusterNode), clusterOptions);
}

/**
 * A BullMQ worker blocks (BZPOPMIN) on a duplicate of its connection, and its watchdog
 * reconnects that duplicate when the command outlives its timeout. A blocking command
 * held back for a failover (retryDelayOnFailover) can outlive a short timeout (the next
 * delayed job's), and that reconnect races BullMQ's own cluster reconnect: the worker
 * then waits for an 'end' that never comes and takes no more jobs. So the duplicates fail
 * fast instead; the worker retries the block after its own short delay, on the promoted
 * replica once the slot map shows it.
 */
class QueueCluster extends Cluster {
  override duplicate(overrideStartupNodes: unknown[] = [], overrideOptions: ClusterOptions = {}): Cluster {
    return super.duplicate(overrideStartupNodes, {
      ...overrideOptions,
      retryDelayOnFailover: 0,
      retryDelayOnClusterDown: 0,
    });
  }
}

function credentialsOf(url: string): Pick<RedisOptions, 'username' | 'password'> {
  try {
    const parsed = new URL(url);
    return {
      ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
      ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    };
  } catch {
    return {};
  }
}

/** `host:port` (or `[v6]:port`) as ioredis wants a cluster seed; a clear error otherwise. */
export function parseClusterNode(node: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(node.trim());
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65_535) {
    throw new MasklineError('config_invalid', {
      message: 'Invalid REDIS_CLUSTER_NODES: each node must be host:port.',
    });
  }
  return { host: (match[1] ?? match[2])!, port };
}

/**
 * Whether a key prefix carries a Redis Cluster hash tag: a non-empty `{...}`, the first
 * one in the key. Every key under such a prefix hashes to that tag's slot, so BullMQ's
 * multi-key scripts and this code base's scripts and pipelines stay on one node.
 */
export function hasHashTag(prefix: string): boolean {
  const open = prefix.indexOf('{');
  if (open < 0) return false;
  const close = prefix.indexOf('}', open + 1);
  return close > open + 1;
}

/**
 * The prefix with its braces dropped (`{ml}` -> `ml`): for keys that must not all hash to
 * the queues' slot, such as per-tenant counters carrying their own `{tenant}` tag.
 */
export function withoutHashTag(prefix: string): string {
  return prefix.replace(/[{}]/g, '');
}

/** Redis Cluster needs a hash-tagged queue prefix: a config error at boot otherwise. */
export function requireClusterPrefix(prefix: string | undefined): void {
  if (prefix !== undefined && hasHashTag(prefix)) return;
  throw new MasklineError('config_invalid', {
    message:
      'Invalid QUEUE_PREFIX for Redis Cluster: it must carry a hash tag, e.g. {ml}, so that every key of a queue lies in one slot.',
  });
}

/**
 * ioredis and Redis errors that mean "Redis cannot serve now", not "this command is wrong".
 * Socket codes (ECONNREFUSED, ...) are left to the connection's 'error' event: a command
 * sent while Redis is away fails with one of these, and a bare socket code could as well
 * come from PostgreSQL.
 */
const REDIS_UNAVAILABLE_MESSAGES = [
  'Connection is closed',
  'Reached the max retries per request limit',
  "Stream isn't writeable",
  'LOADING',
  'MASTERDOWN',
  'CLUSTERDOWN',
  'TRYAGAIN',
  'READONLY',
  // Redis Cluster: the slot map cannot be read or no seed answers (all masters away).
  'Failed to refresh slots cache',
  'None of startup nodes is available',
  "Cluster isn't ready",
];

export function isRedisUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, message } = error as { name?: unknown; message?: unknown };
  if (name === 'MaxRetriesPerRequestError') return true;
  return typeof message === 'string' && REDIS_UNAVAILABLE_MESSAGES.some((m) => message.startsWith(m));
}
