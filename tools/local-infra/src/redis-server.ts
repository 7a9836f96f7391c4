import { mkdirSync } from 'node:fs';
import { Socket } from 'node:net';
import { type ProcessHandle, startProcess, waitFor } from './child-process-handle.js';

export interface RedisServerOptions {
  redisServer: string;
  dataDir: string;
  port: number;
  host?: string;
  /** Append-only file persistence (the local stack); off for tests. */
  persistent?: boolean;
  /** More redis-server flags, e.g. the cluster ones (startRedisCluster). */
  extraArgs?: readonly string[];
  /** Run in a process group of its own (see PostgresServerOptions.ownProcessGroup). */
  ownProcessGroup?: boolean;
}

export interface RunningRedis {
  host: string;
  port: number;
  url: string;
  handle: ProcessHandle;
  stop(): Promise<void>;
}

/** Sends PING over a raw socket; true on +PONG. */
export function redisPing(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
    socket.connect(port, host, () => socket.write('PING\r\n'));
  });
}

export async function startRedis(options: RedisServerOptions): Promise<RunningRedis> {
  const host = options.host ?? '127.0.0.1';
  mkdirSync(options.dataDir, { recursive: true });
  const persistence = options.persistent
    ? ['--appendonly', 'yes', '--appendfsync', 'everysec']
    : ['--appendonly', 'no', '--save', ''];
  const handle = startProcess(
    options.redisServer,
    [
      '--port',
      String(options.port),
      '--bind',
      host,
      '--dir',
      options.dataDir,
      '--daemonize',
      'no',
      '--protected-mode',
      'yes',
      // BullMQ requires that Redis never evicts its keys.
      '--maxmemory-policy',
      'noeviction',
      ...persistence,
      ...(options.extraArgs ?? []),
    ],
    options.ownProcessGroup ? { detached: true } : {},
  );
  await waitFor(() => redisPing(host, options.port), 'redis-server', handle);
  return {
    host,
    port: options.port,
    url: `redis://${host}:${options.port}`,
    handle,
    stop: () => handle.stop('SIGTERM'),
  };
}
