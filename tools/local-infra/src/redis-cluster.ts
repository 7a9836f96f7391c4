import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';
import { type RunningRedis, startRedis } from './redis-server.js';

const run = promisify(execFile);

export interface RedisClusterOptions {
  redisServer: string;
  /** Each node keeps its nodes.conf under its own directory here. */
  dataDir: string;
  host?: string;
  /** Masters (each with `replicasPerMaster` replicas); Redis Cluster needs at least 3. */
  masters?: number;
  replicasPerMaster?: number;
  /** How long a master may be unreachable before its replica is promoted. */
  nodeTimeoutMs?: number;
}

export interface ClusterNode {
  id: string;
  port: number;
  role: 'master' | 'replica';
  /** Master: its slot ranges as "from-to" (or "n"). */
  slots: string[];
  failed: boolean;
}

export interface RunningRedisCluster {
  host: string;
  /** Seeds as REDIS_CLUSTER_NODES wants them: `host:port,host:port,...`. */
  nodesSetting: string;
  servers: RunningRedis[];
  /** CLUSTER NODES as seen by a live node. */
  nodes(): Promise<ClusterNode[]>;
  /** The port of the master serving `key`'s slot now. */
  masterOf(key: string): Promise<number>;
  /** SIGKILLs the master on `port`, then waits until a replica serves its slots. */
  killMaster(port: number): Promise<{ promotedPort: number }>;
  /** Resolves once every slot is served (cluster_state:ok). */
  waitUntilOk(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** redis-cli, from the redis-tools package that Debian's redis-server depends on. */
export function findRedisCli(redisServer: string): string {
  const beside = join(dirname(redisServer), 'redis-cli');
  if (existsSync(beside)) return beside;
  for (const candidate of ['/usr/bin/redis-cli', '/usr/local/bin/redis-cli']) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('redis-cli not found: install it with: sudo apt-get install -y redis-tools');
}

/**
 * A Redis Cluster on loopback ports for tests: masters x (1 + replicas) redis-server
 * processes with `--cluster-enabled yes`, joined with `redis-cli --cluster create`. A
 * killed master's replica promotes itself after `nodeTimeoutMs` (1 s by default).
 */
export async function startRedisCluster(options: RedisClusterOptions): Promise<RunningRedisCluster> {
  const host = options.host ?? '127.0.0.1';
  const masters = options.masters ?? 3;
  const replicas = options.replicasPerMaster ?? 1;
  const nodeTimeoutMs = options.nodeTimeoutMs ?? 1_000;
  const cli = findRedisCli(options.redisServer);
  const count = masters * (1 + replicas);
  const ports: number[] = [];
  while (ports.length < count) {
    const port = await freePort(host);
    // The cluster bus listens on port + 10000: both must be free and below 65536.
    // No node's port may be another's bus port.
    const clash = [port, port + 10_000, port - 10_000].some((p) => ports.includes(p));
    if (port + 10_000 <= 65_535 && !clash && (await busPortFree(host, port))) ports.push(port);
  }
  const servers: RunningRedis[] = [];
  const killed = new Set<number>();
  try {
    for (const port of ports) {
      servers.push(
        await startRedis({
          redisServer: options.redisServer,
          dataDir: join(options.dataDir, String(port)),
          port,
          host,
          extraArgs: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            'nodes.conf',
            '--cluster-node-timeout',
            String(nodeTimeoutMs),
            // A replica may always take over, however long its link was down.
            '--cluster-replica-validity-factor',
            '0',
          ],
        }),
      );
    }
    await run(cli, [
      '--cluster',
      'create',
      ...ports.map((p) => `${host}:${p}`),
      '--cluster-replicas',
      String(replicas),
      '--cluster-yes',
    ]);
  } catch (error) {
    await Promise.all(servers.map((s) => s.stop()));
    throw error;
  }

  const live = () => ports.filter((p) => !killed.has(p));
  const cliOn = async (port: number, ...args: string[]) =>
    (await run(cli, ['-h', host, '-p', String(port), ...args])).stdout;
  const anyLive = async (...args: string[]) => {
    let last: unknown;
    for (const port of live()) {
      try {
        return await cliOn(port, ...args);
      } catch (error) {
        last = error;
      }
    }
    throw last;
  };
  const nodes = async (): Promise<ClusterNode[]> =>
    (await anyLive('cluster', 'nodes'))
      .trim()
      .split('\n')
      .map((line) => {
        const [id, address, flags, , , , , , ...slots] = line.split(' ');
        const port = Number(/:(\d+)@/.exec(address ?? '')?.[1]);
        const flagList = (flags ?? '').split(',');
        return {
          id: id ?? '',
          port,
          role: flagList.includes('master') ? 'master' : 'replica',
          slots: slots.filter((s) => !s.startsWith('[')),
          failed: flagList.includes('fail') || flagList.includes('fail?'),
        };
      });
  const servesSlot = (node: ClusterNode, slot: number) =>
    node.slots.some((range) => {
      const [from, to] = range.split('-').map(Number);
      return slot >= from! && slot <= (to ?? from)!;
    });
  const masterOf = async (key: string) => {
    const slot = Number((await anyLive('cluster', 'keyslot', key)).trim());
    const master = (await nodes()).find((n) => n.role === 'master' && !n.failed && servesSlot(n, slot));
    if (!master) throw new Error(`no live master serves slot ${slot}`);
    return master.port;
  };
  const waitUntilOk = async (timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const states = await Promise.all(live().map((p) => cliOn(p, 'cluster', 'info').catch(() => '')));
      if (states.every((info) => info.includes('cluster_state:ok'))) return;
      if (Date.now() > deadline) throw new Error(`Redis Cluster not ok after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  await waitUntilOk();
  return {
    host,
    nodesSetting: ports.map((p) => `${host}:${p}`).join(','),
    servers,
    nodes,
    masterOf,
    waitUntilOk,
    async killMaster(port) {
      const before = (await nodes()).find((n) => n.port === port);
      if (before?.role !== 'master') throw new Error(`${port} is not a master`);
      const server = servers.find((s) => s.port === port)!;
      killed.add(port);
      await server.handle.stop('SIGKILL');
      const deadline = Date.now() + 30_000;
      for (;;) {
        const promoted = (await nodes().catch(() => [])).find(
          (n) =>
            n.role === 'master' &&
            !n.failed &&
            n.port !== port &&
            before.slots.every((s) => n.slots.includes(s)),
        );
        if (promoted) {
          await waitUntilOk();
          return { promotedPort: promoted.port };
        }
        if (Date.now() > deadline) throw new Error(`no replica took over from ${port}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop() {
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}

async function busPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port + 10_000, host, () => server.close(() => resolve(true)));
  });
}
