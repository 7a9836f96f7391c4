import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Finds the Redis and PostgreSQL server binaries, installing them from Debian packages
 * (redis-server, postgresql) when missing. Installing needs root (or passwordless sudo);
 * otherwise the error says what to install.
 */
export interface InfraBinaries {
  redisServer: string;
  /** Directory holding initdb, postgres, pg_isready, createdb. */
  postgresBinDir: string;
}

const DEBIAN_PACKAGES = ['redis-server', 'postgresql'];

export function findRedisServer(): string | null {
  for (const candidate of ['/usr/bin/redis-server', '/usr/local/bin/redis-server']) {
    if (existsSync(candidate)) return candidate;
  }
  const which = spawnSync('which', ['redis-server'], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() : null;
}

export function findPostgresBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  const which = spawnSync('which', ['initdb'], { encoding: 'utf8' });
  if (which.status === 0) return join(which.stdout.trim(), '..');
  return null;
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/**
 * Installs the Debian packages whose `present()` check fails (apt-get, as root or with
 * passwordless sudo). For tools the tests or benchmarks need: softhsm2, kannel, perl modules.
 */
export function ensureDebianPackages(
  packages: readonly { name: string; present: () => boolean }[],
  log: (line: string) => void = () => {},
): void {
  const missing = packages.filter((p) => !p.present());
  if (missing.length === 0) return;
  installDebianPackages(
    missing.map((p) => p.name),
    log,
  );
  const still = missing.filter((p) => !p.present());
  if (still.length > 0)
    throw new Error(`Installed but still missing: ${still.map((p) => p.name).join(', ')}`);
}

function installDebianPackages(packages: string[], log: (line: string) => void): void {
  const asRoot = isRoot();
  const sudo = asRoot ? [] : ['sudo', '-n'];
  if (!asRoot && spawnSync('sudo', ['-n', 'true']).status !== 0) {
    throw new Error(
      `Missing ${packages.join(', ')}. Install them with: sudo apt-get install -y ${packages.join(' ')}`,
    );
  }
  log(`installing Debian packages: ${packages.join(' ')} (one-time)`);
  // Keep the packages' own services from starting: we run our own instances on our own ports.
  const policy = '/usr/sbin/policy-rc.d';
  const addedPolicy = asRoot && !existsSync(policy);
  if (addedPolicy) writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const run = (args: string[]) => {
      const [cmd, ...rest] = [...sudo, ...args];
      execFileSync(cmd!, rest, { stdio: ['ignore', 'ignore', 'inherit'], env });
    };
    run(['apt-get', 'update', '-qq']);
    run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...packages]);
  } finally {
    if (addedPolicy) unlinkSync(policy);
  }
}

export function ensureInfraBinaries(log: (line: string) => void = () => {}): InfraBinaries {
  let redisServer = findRedisServer();
  let postgresBinDir = findPostgresBinDir();
  const missing: string[] = [];
  if (!redisServer) missing.push(DEBIAN_PACKAGES[0]!);
  if (!postgresBinDir) missing.push(DEBIAN_PACKAGES[1]!);
  if (missing.length > 0) {
    installDebianPackages(missing, log);
    redisServer = findRedisServer();
    postgresBinDir = findPostgresBinDir();
  }
  if (!redisServer || !postgresBinDir) {
    throw new Error('redis-server or PostgreSQL binaries still missing after install');
  }
  return { redisServer, postgresBinDir };
}
