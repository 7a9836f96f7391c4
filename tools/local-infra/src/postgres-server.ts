import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type ProcessHandle, startProcess, waitFor } from './child-process-handle.js';

export interface PostgresServerOptions {
  binDir: string;
  dataDir: string;
  port: number;
  host?: string;
  /** Superuser created by initdb; local trust auth on loopback only. */
  user?: string;
  database?: string;
  /** Trade durability for speed (fsync off): for throwaway test clusters only. */
  ephemeral?: boolean;
  /** More server settings (`-c name=value`), e.g. shared_preload_libraries. */
  settings?: Readonly<Record<string, string>>;
  /**
   * Run in a process group of its own, so a terminal's Ctrl-C reaches only its parent, which
   * stops it after the apps have drained (the local stack). Default: the parent's group.
   */
  ownProcessGroup?: boolean;
}

export interface RunningPostgres {
  host: string;
  port: number;
  user: string;
  database: string;
  url: string;
  handle: ProcessHandle;
  stop(): Promise<void>;
}

interface RunAs {
  uid: number;
  gid: number;
}

/** PostgreSQL refuses to run as root: when we are root, run it as the `postgres` user. */
function runAs(): RunAs | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error('Running as root needs a "postgres" system user (the postgresql package creates it).');
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function assertReachable(dataDir: string, user: RunAs | undefined): void {
  if (!user) return;
  const probe = spawnSync('test', ['-w', dataDir], { uid: user.uid, gid: user.gid });
  if (probe.status !== 0) {
    throw new Error(
      `The postgres user cannot reach ${dataDir} (a parent folder is not traversable). ` +
        'Set MASKLINE_DATA_DIR to a folder it can reach, e.g. /var/tmp/maskline.',
    );
  }
}

export async function startPostgres(options: PostgresServerOptions): Promise<RunningPostgres> {
  const host = options.host ?? '127.0.0.1';
  const user = options.user ?? 'maskline';
  const database = options.database ?? 'maskline';
  const owner = runAs();
  const bin = (name: string) => join(options.binDir, name);

  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  if (owner) chownSync(options.dataDir, owner.uid, owner.gid);
  assertReachable(options.dataDir, owner);

  if (!existsSync(join(options.dataDir, 'PG_VERSION'))) {
    execFileSync(
      bin('initdb'),
      ['-D', options.dataDir, '-U', user, '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'],
      { stdio: ['ignore', 'ignore', 'pipe'], ...(owner ?? {}) },
    );
  }

  const settings = [
    ['listen_addresses', host],
    ['port', String(options.port)],
    ['unix_socket_directories', ''],
    ['max_connections', '200'],
    ...(options.ephemeral
      ? [
          ['fsync', 'off'],
          ['synchronous_commit', 'off'],
          ['full_page_writes', 'off'],
        ]
      : []),
    ...Object.entries(options.settings ?? {}),
  ];
  const handle = startProcess(
    bin('postgres'),
    ['-D', options.dataDir, ...settings.flatMap(([k, v]) => ['-c', `${k}=${v}`])],
    { ...(owner ?? {}), ...(options.ownProcessGroup ? { detached: true } : {}) },
  );
  const ready = () =>
    Promise.resolve(
      spawnSync(bin('pg_isready'), ['-h', host, '-p', String(options.port), '-U', user, '-d', 'postgres'])
        .status === 0,
    );
  await waitFor(ready, 'postgres', handle, 60_000);

  const exists = spawnSync(
    bin('psql'),
    [
      '-h',
      host,
      '-p',
      String(options.port),
      '-U',
      user,
      '-d',
      'postgres',
      '-tAc',
      `SELECT 1 FROM pg_database WHERE datname = '${database.replace(/'/g, "''")}'`,
    ],
    { encoding: 'utf8' },
  );
  if (exists.stdout.trim() !== '1') {
    execFileSync(bin('createdb'), ['-h', host, '-p', String(options.port), '-U', user, database]);
  }

  return {
    host,
    port: options.port,
    user,
    database,
    url: `postgres://${user}@${host}:${options.port}/${database}`,
    handle,
    // SIGINT is PostgreSQL's "fast shutdown": roll back open transactions, checkpoint, exit.
    stop: () => handle.stop('SIGINT', 20_000),
  };
}
