#!/usr/bin/env node
/**
 * `npm run bench`: N messages (default 20,000) from C concurrent HTTP clients (default 64)
 * through the whole stack on loopback — ingest → PostgreSQL → BullMQ → delivery worker →
 * SMPP → smsc-sim → receipt → receipt processor → `delivered` — with durable PostgreSQL
 * (fsync on) and Redis of its own; then the same N messages through Kannel (bearerbox +
 * smsbox, installed from Debian's package when missing) against its own simulator, with
 * delivery reports to a sink here. Prints a markdown table with both and the ratio; writes
 * .bench/e2e.json and .bench/e2e.md. `--soak` runs a steady load with heap sampling
 * instead. `--help` lists the knobs.
 */
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, isAbsolute, join } from 'node:path';
import {
  ensureInfraBinaries,
  ensureKannel,
  freePort,
  type KannelBinaries,
  REPO_ROOT,
  startPostgres,
  startRedis,
} from '@maskline/local-infra';
import { type BenchOptions, parseBenchArgs, USAGE, UsageError, wantsHelp } from './args.js';
import { type CpuProfile, profileTable, summarizeProfile } from './cpu-profile.js';
import { runKannel } from './kannel.js';
import { MasklineStack } from './maskline.js';
import { runMaskline, runSoak } from './maskline-runs.js';
import { PG_STATEMENTS_SETTINGS } from './pg-statements.js';
import { type BenchResult, ratioLines, renderReport } from './report.js';
import type { SoakResult } from './soak-report.js';

const argv = process.argv.slice(2);
if (wantsHelp(argv)) {
  console.log(USAGE);
  process.exit(0);
}
let options: BenchOptions;
try {
  options = parseBenchArgs(argv);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`${error.message}\n\n${USAGE}`);
  process.exit(2);
}

const log = (line: string) => console.error(line);
const outDir = isAbsolute(options.outDir) ? options.outDir : join(REPO_ROOT, options.outDir);
const dir = mkdtempSync(join(tmpdir(), 'maskline-bench-'));
chmodSync(dir, 0o755); // PostgreSQL runs as the postgres user when we are root

// Everything started is stopped in reverse order, on the way out or on SIGINT/SIGTERM.
const cleanups: (() => Promise<void>)[] = [];
const cleanup = async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch((e: unknown) => log(`cleanup: ${String(e)}`));
  rmSync(dir, { recursive: true, force: true });
};
/**
 * A server being started (Redis, PostgreSQL) cannot be stopped before it exists: a signal
 * waits for the start in progress, whose stop is registered as it resolves, then cleans up.
 */
let starting: Promise<unknown> = Promise.resolve();
function started<T>(begin: Promise<T>, stop: (t: T) => () => Promise<void>): Promise<T> {
  const registered = begin.then((t) => {
    cleanups.push(stop(t));
    return t;
  });
  starting = registered;
  return registered;
}
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stopping = true;
    log(`\n${signal}: stopping everything the bench started…`);
    void starting
      .catch(() => {})
      .then(cleanup)
      .finally(() => {
        rmSync(dir, { recursive: true, force: true });
        process.exit(130);
      });
  });
}

let kannel: KannelBinaries | null = null;
let kannelSkipped: string | undefined;
if (options.soakSeconds !== null) {
  kannelSkipped = 'the soak measures Maskline’s apps only';
} else if (options.kannel === 'off') {
  kannelSkipped = '--no-kannel';
} else {
  try {
    kannel = ensureKannel(log);
  } catch (error) {
    if (options.kannel === 'on') throw error;
    kannelSkipped = `not installable here (${error instanceof Error ? error.message : String(error)})`;
    log(`Kannel skipped: ${kannelSkipped}`);
  }
}

const result: BenchResult = {
  startedAt: new Date().toISOString(),
  machine: { cpus: cpus().length, loadAverageAtStart: loadavg(), node: process.version },
  options,
  maskline: null,
  kannel: null,
  ...(kannelSkipped ? { kannelSkipped } : {}),
};

try {
  const binaries = ensureInfraBinaries(log);
  const redisPort = await freePort();
  const redis = await started(
    startRedis({ redisServer: binaries.redisServer, dataDir: join(dir, 'redis'), port: redisPort }),
    (r) => () => r.stop(),
  );
  const postgresPort = await freePort();
  const postgres = await started(
    startPostgres({
      binDir: binaries.postgresBinDir,
      dataDir: join(dir, 'pg'),
      port: postgresPort,
      ...(options.pgStatements ? { settings: PG_STATEMENTS_SETTINGS } : {}),
    }),
    (p) => () => p.stop(),
  );

  const stack = new MasklineStack(
    options,
    {
      redisUrl: redis.url,
      postgresUrl: postgres.url,
      ...(redis.handle.process.pid ? { redisPid: redis.handle.process.pid } : {}),
      ...(postgres.handle.process.pid ? { postgresPid: postgres.handle.process.pid } : {}),
    },
    dir,
  );
  let stackStopped = false;
  const stopStack = async () => {
    if (stackStopped) return;
    stackStopped = true;
    await stack.stop();
  };
  cleanups.push(stopStack);
  await stack.start();
  const o = options;
  const shape = `${o.workers} delivery worker(s) × ${o.binds} bind(s), window ${o.window}, SMSC latency ${o.latencyMs} ms`;
  if (o.soakSeconds === null) {
    log(`maskline: ${o.messages} messages from ${o.concurrency} clients; ${shape}`);
    result.maskline = await runMaskline(stack, options);
  } else {
    // --soak-rate half: half of --peak, or of a throughput probe on this same stack first.
    let rate = o.soakRate === 'half' ? 0 : o.soakRate;
    let rateSource: SoakResult['rateSource'] = { kind: 'fixed' };
    if (o.soakRate === 'half' && o.peak !== null) {
      rateSource = { kind: 'half-of-peak', peak: o.peak };
    } else if (o.soakRate === 'half') {
      log(`maskline: throughput probe, ${o.messages} messages from ${o.concurrency} clients; ${shape}`);
      result.maskline = await runMaskline(stack, options);
      rateSource = { kind: 'half-of-probe', peak: result.maskline.deliveredPerSecond };
    }
    if (rateSource.kind !== 'fixed') rate = Math.max(1, Math.round(rateSource.peak / 2));
    log(`maskline: soak ${o.soakSeconds} s at ${rate} msgs/s; ${shape}`);
    result.soak = await runSoak(stack, options, rate, rateSource);
  }
  await stopStack(); // the apps write their CPU profiles as they exit

  if (options.profile) {
    // The hottest app: the most CPU seconds in this run.
    const cpu = (app: string) =>
      (result.maskline?.processes[app] ?? result.soak?.processes[app])?.cpuSeconds ?? 0;
    const profiles = stack.profiles().sort((a, b) => cpu(b.app) - cpu(a.app));
    const profileOut = join(outDir, 'profiles');
    mkdirSync(profileOut, { recursive: true });
    for (const p of profiles) copyFileSync(p.file, join(profileOut, `${p.app}.cpuprofile`));
    const hottest = profiles[0];
    if (hottest) {
      const summary = summarizeProfile(JSON.parse(readFileSync(hottest.file, 'utf8')) as CpuProfile);
      result.profile = {
        app: hottest.app,
        file: join(options.outDir, 'profiles', `${hottest.app}.cpuprofile`),
        markdown: [
          `${summary.durationMs.toFixed(0)} ms sampled, ${summary.busyMs.toFixed(0)} ms not idle.`,
          '',
          profileTable(summary.byPackage, 'package'),
          '',
          profileTable(summary.byCallingPackage, 'package, node internals charged to their caller'),
          '',
          profileTable(summary.topFunctions),
        ].join('\n'),
      };
    } else {
      log(`no CPU profile found under ${basename(dir)}/profiles`);
    }
  }

  for (const store of kannel ? options.kannelStores : []) {
    log(
      `kannel (${store} store): ${o.messages} messages from ${o.concurrency} clients, ${o.workers * o.binds} SMPP connection(s), max-pending-submits ${o.window}`,
    );
    const run = await runKannel(options, kannel!, dir, store, (stop) => cleanups.push(stop));
    if (store === 'file') result.kannelFileStore = run;
    else result.kannel = run;
  }

  mkdirSync(outDir, { recursive: true });
  const name = options.soakSeconds === null ? 'e2e' : 'e2e-soak';
  const markdown = renderReport(result);
  writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(outDir, `${name}.md`), markdown);
  console.log(`\n${markdown}`);
  const kannels = [result.kannel, result.kannelFileStore].filter((k) => k !== null && k !== undefined);
  for (const line of ratioLines(result.maskline, kannels)) console.log(line);
  console.log(`written: ${join(options.outDir, `${name}.json`)}, ${join(options.outDir, `${name}.md`)}`);
} catch (error) {
  // After a signal, what fails is the run being torn down under it: the handler exits.
  if (stopping) await new Promise(() => {});
  throw error;
} finally {
  if (!stopping) await cleanup();
}
