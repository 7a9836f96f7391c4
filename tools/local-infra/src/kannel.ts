import { existsSync } from 'node:fs';
import { ensureDebianPackages } from './binaries.js';
import { type ProcessHandle, startProcess, waitFor } from './child-process-handle.js';

/**
 * Kannel (bearerbox + smsbox), the incumbent open-source SMS gateway, for side-by-side
 * benchmarks. Installed from Debian's `kannel` package when missing; the caller writes the
 * configuration (one file holding the core, smsc, smsbox and sendsms-user groups).
 */
export interface KannelBinaries {
  bearerbox: string;
  smsbox: string;
}

export function findKannelBinaries(): KannelBinaries | null {
  for (const dir of ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin']) {
    const bearerbox = `${dir}/bearerbox`;
    const smsbox = `${dir}/smsbox`;
    if (existsSync(bearerbox) && existsSync(smsbox)) return { bearerbox, smsbox };
  }
  return null;
}

/** Finds bearerbox and smsbox, installing Debian's `kannel` (apt-get) when they are missing. */
export function ensureKannel(log: (line: string) => void = () => {}): KannelBinaries {
  ensureDebianPackages([{ name: 'kannel', present: () => findKannelBinaries() !== null }], log);
  const found = findKannelBinaries();
  if (!found) throw new Error('bearerbox/smsbox still missing after installing kannel');
  return found;
}

export interface KannelOptions {
  binaries: KannelBinaries;
  /** The configuration file (core, smsc, smsbox, sendsms-user groups). */
  configFile: string;
  /** The core group's admin-port and admin-password: readiness is read from /status.txt. */
  adminPort: number;
  adminPassword: string;
  /** The smsbox group's sendsms-port. */
  sendsmsPort: number;
  /** SMSC connections (smsc groups) that must be online before smsbox starts. */
  smscConnections: number;
  /** Console verbosity (-v): 0 debug … 4 panic. Default 2 (warnings), so logging costs nothing. */
  verbosity?: number;
  timeoutMs?: number;
  /** Gets bearerbox and smsbox as soon as each is spawned (to stop them on a signal). */
  onSpawn?: (handle: ProcessHandle) => void;
}

export interface RunningKannel {
  bearerbox: ProcessHandle;
  smsbox: ProcessHandle;
  /** bearerbox's /status.txt (admin interface). */
  status(): Promise<string>;
  stop(): Promise<void>;
}

/** SMSC lines of status.txt that say "(online …". */
export function onlineSmscCount(statusText: string): number {
  return statusText.match(/\(online \d+s/g)?.length ?? 0;
}

/** Starts bearerbox, waits until every SMSC connection is online, then smsbox and its sendsms port. */
export async function startKannel(options: KannelOptions): Promise<RunningKannel> {
  const verbosity = String(options.verbosity ?? 2);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const statusUrl = `http://127.0.0.1:${options.adminPort}/status.txt?password=${encodeURIComponent(options.adminPassword)}`;
  const status = async () => {
    const response = await fetch(statusUrl);
    return response.text();
  };
  const bearerbox = startProcess(options.binaries.bearerbox, ['-v', verbosity, options.configFile]);
  options.onSpawn?.(bearerbox);
  let smsbox: ProcessHandle | null = null;
  const stop = async () => {
    await smsbox?.stop('SIGTERM', 10_000);
    await bearerbox.stop('SIGTERM', 10_000);
  };
  try {
    await waitFor(
      async () => onlineSmscCount(await status()) >= options.smscConnections,
      'bearerbox (SMSC online)',
      bearerbox,
      timeoutMs,
    );
    const started = startProcess(options.binaries.smsbox, ['-v', verbosity, options.configFile]);
    options.onSpawn?.(started);
    smsbox = started;
    await waitFor(
      async () => {
        const response = await fetch(`http://127.0.0.1:${options.sendsmsPort}/`);
        await response.arrayBuffer();
        return (await status()).includes('Box connections:') && /smsbox:/.test(await status());
      },
      'smsbox (sendsms port)',
      started,
      timeoutMs,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { bearerbox, smsbox, status, stop };
}
