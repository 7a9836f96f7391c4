import { MasklineError } from '@maskline/core';
import { createRedisConnection, hasHashTag, withoutHashTag } from '@maskline/queues';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { commonConfigShape, requireRedisTarget } from '../src/common-config.js';

const redisSettings = z.object({
  REDIS_URL: commonConfigShape.REDIS_URL,
  REDIS_CLUSTER_NODES: commonConfigShape.REDIS_CLUSTER_NODES,
  QUEUE_PREFIX: commonConfigShape.QUEUE_PREFIX,
});

function target(env: Record<string, string>) {
  return requireRedisTarget(redisSettings.parse({ REDIS_URL: 'redis://127.0.0.1:6379', ...env }));
}

function configError(run: () => unknown): MasklineError {
  try {
    run();
  } catch (error) {
    if (error instanceof MasklineError) return error;
    throw error;
  }
  throw new Error('expected a config error');
}

describe('the Redis target of an app', () => {
  it('is the single REDIS_URL by default, with any prefix', () => {
    expect(target({})).toEqual({ url: 'redis://127.0.0.1:6379', clusterNodes: [], queuePrefix: 'ml' });
    expect(target({ QUEUE_PREFIX: 'plain' }).clusterNodes).toEqual([]);
  });

  it('is a Redis Cluster given REDIS_CLUSTER_NODES and a hash-tagged QUEUE_PREFIX', () => {
    expect(target({ REDIS_CLUSTER_NODES: ' 10.0.0.1:7000, [::1]:7001,', QUEUE_PREFIX: '{ml}' })).toEqual({
      url: 'redis://127.0.0.1:6379',
      clusterNodes: ['10.0.0.1:7000', '[::1]:7001'],
      queuePrefix: '{ml}',
    });
    expect(target({ REDIS_CLUSTER_NODES: 'r1:7000', QUEUE_PREFIX: 'app-{q}' }).queuePrefix).toBe('app-{q}');
  });

  it.each(['ml', '{}ml', 'ml}{', 'ml{'])('refuses the prefix %j on Redis Cluster at boot', (prefix) => {
    const error = configError(() => target({ REDIS_CLUSTER_NODES: 'r1:7000', QUEUE_PREFIX: prefix }));
    expect(error.code).toBe('config_invalid');
    expect(error.message).toContain('QUEUE_PREFIX');
    expect(error.message).toContain('hash tag');
  });

  it.each(['r1', 'r1:', ':7000', 'r1:70000', 'redis://r1:7000'])('refuses the cluster node %j', (node) => {
    const error = configError(() => target({ REDIS_CLUSTER_NODES: node, QUEUE_PREFIX: '{ml}' }));
    expect(error.code).toBe('config_invalid');
    expect(error.message).toContain('REDIS_CLUSTER_NODES');
  });

  it('makes the connection factory refuse an untagged prefix before it connects', () => {
    const error = configError(() =>
      createRedisConnection(
        { url: 'redis://127.0.0.1:1', clusterNodes: ['127.0.0.1:1'], queuePrefix: 'ml' },
        'producer',
      ),
    );
    expect(error.code).toBe('config_invalid');
  });

  it('tells a hash-tagged prefix, and drops the tag for keys that hash by their own', () => {
    expect(['{ml}', 'app-{q}', '{a}{b}', 'x{y}z'].map(hasHashTag)).toEqual([true, true, true, true]);
    expect(['ml', '{}', '{', '}{', 'ml}'].map(hasHashTag)).toEqual([false, false, false, false, false]);
    expect(withoutHashTag('{ml}')).toBe('ml');
    expect(withoutHashTag('ml')).toBe('ml');
  });
});
