/**
 * `npm run bench:smpp`: submit throughput of the SMPP plugin against the SMSC simulator,
 * which runs in a child process (bench/sim-process.ts) so plugin and SMSC do not share one
 * event loop; per configuration (binds 1/4, windows 1/10/50, SMSC latency 0/20 ms), beside
 * its Little's-law limit binds × window / RTT. RTT is the mean submit round trip of one
 * sequential caller on one bind at window 1 for that latency. A row whose limit is above
 * what the simulator can answer at all (its 0 ms ceiling: the best 0 ms run) is marked
 * `sim ceiling`: there the simulator, not the plugin, is what is measured. Prints a
 * markdown table; writes .bench/smpp.json and plugins/carrier-smpp/bench/README.md.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { smppCarrierPlugin } from '@maskline/carrier-smpp';
import { type CarrierPlugin, type PluginContext, silentLogger, systemClock } from '@maskline/core';
import { createPluginHttpClient } from '@maskline/plugin-sdk';
import { trace } from '@opentelemetry/api';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const SIM_PROCESS = fileURLToPath(new URL('./sim-process.js', import.meta.url));
const README = join(REPO_ROOT, 'plugins/carrier-smpp/bench/README.md');
const BINDS = [1, 4] as const;
const WINDOWS = [1, 10, 50] as const;
const LATENCIES_MS = [0, 20] as const;
const MAX_SUBMITS = 15_000;
/** For profiling: SMPP_BENCH_ONLY=4x50@20,1x1@20 runs only those (README is then not written). */
const ONLY = process.env.SMPP_BENCH_ONLY?.split(',');
/**
 * Runs per configuration (and RTT probes per latency); the best is kept. The machine is
 * shared: other work only ever slows a run down, so the best run is the closest to what
 * plugin and simulator can do. SMPP_BENCH_REPEAT overrides.
 */
const REPEAT = Math.max(1, Number(process.env.SMPP_BENCH_REPEAT ?? 3));
/**
 * SMPP_BENCH_RECEIPTS=1: every submit asks for a delivery receipt, so the simulator sends a
 * deliver_sm per submit and the plugin answers each with deliver_sm_resp; a run ends once
 * every receipt is published. Used to count system calls per message (docs/performance.md);
 * the README table is the submit-only run.
 */
const RECEIPTS = process.env.SMPP_BENCH_RECEIPTS === '1';
const TARGET_SECONDS = 3;
/** SMPP_BENCH_SUBMITS=n: exactly n submits per run (same work before/after, e.g. under callgrind). */
const FIXED_SUBMITS = Number(process.env.SMPP_BENCH_SUBMITS) || undefined;
const RTT_PROBE_SUBMITS = { 0: 2000, 20: 50 } as const;

let receipts = 0;
const ctx: PluginContext = {
  carrierId: 'bench',
  logger: silentLogger,
  tracer: trace.getTracer('bench'),
  clock: systemClock,
  secrets: { password: 'bench' },
  http: createPluginHttpClient(),
  events: {
    publish: async (event) => {
      if (event.type === 'receipt') receipts += 1;
    },
  },
};

interface Row {
  binds: number;
  window: number;
  latencyMs: number;
  submits: number;
  seconds: number;
  submitsPerSecond: number;
  /** Little's law: binds × window / RTT (RTT measured at window 1 for this latency). */
  limitPerSecond: number;
  percentOfLimit: number;
  /** The limit is above the simulator's own ceiling: the plugin is not what is measured. */
  simCeiling: boolean;
  /** Mean round trip one caller saw in this configuration (queueing included). */
  meanCallerMs: number;
  failures: number;
}

let seq = 0;
const submitOne = (plugin: CarrierPlugin) =>
  plugin.submit({
    messageId: `bench-${++seq}`,
    tenantId: 'bench',
    to: '+447911123456',
    from: 'Bench',
    body: 'hello',
    requestReceipt: RECEIPTS,
  });

/** Fork the simulator; resolves with its SMPP port once it listens. */
async function startSimProcess(latencyMs: number): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(SIM_PROCESS, [JSON.stringify({ submitRespDelayMs: latencyMs })], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`simulator process exited (${code})`)));
  });
  return { child, port };
}

async function stopSimProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.send('close');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Starts a fresh simulator process and plugin, runs `fn`, closes both. */
async function withPlugin<T>(
  latencyMs: number,
  binds: number,
  windowSize: number,
  fn: (plugin: CarrierPlugin) => Promise<T>,
): Promise<T> {
  const sim = await startSimProcess(latencyMs);
  try {
    const config = smppCarrierPlugin.configSchema.parse({
      host: '127.0.0.1',
      port: sim.port,
      systemId: 'bench',
      binds,
      windowSize,
      requestTimeoutMs: 30_000,
    });
    const plugin = smppCarrierPlugin.create(ctx, config);
    await plugin.start();
    // start() resolves once one bind is up; wait for all of them.
    while (plugin.health().status !== 'up') await new Promise((r) => setTimeout(r, 5));
    const firstSeq = seq;
    receipts = 0;
    try {
      const result = await fn(plugin);
      // With receipts on, a run is over once the receipt of every submit is published.
      while (RECEIPTS && receipts < seq - firstSeq) await new Promise((r) => setTimeout(r, 5));
      return result;
    } finally {
      await plugin.close();
    }
  } finally {
    await stopSimProcess(sim.child);
  }
}

/** Mean round trip (ms) of `n` sequential submits on one bind at window 1. */
async function measureRtt(latencyMs: number, n: number): Promise<number> {
  return withPlugin(latencyMs, 1, 1, async (plugin) => {
    for (let i = 0; i < Math.min(n, 500); i++) await submitOne(plugin); // warm-up (JIT)
    const start = performance.now();
    for (let i = 0; i < n; i++) await submitOne(plugin);
    return (performance.now() - start) / n;
  });
}

async function run(binds: number, window: number, latencyMs: number, rttMs: number): Promise<Row> {
  const limit = (binds * window * 1000) / rttMs;
  const submits = FIXED_SUBMITS ?? Math.min(MAX_SUBMITS, Math.ceil(limit * TARGET_SECONDS));
  const callers = binds * window * 2;
  return withPlugin(latencyMs, binds, window, async (plugin) => {
    // Warm-up: one full round of callers.
    await Promise.all(Array.from({ length: callers }, () => submitOne(plugin)));
    let issued = 0;
    let failures = 0;
    let callerMs = 0;
    const caller = async () => {
      while (issued < submits) {
        issued += 1;
        const t0 = performance.now();
        try {
          await submitOne(plugin);
        } catch {
          failures += 1;
        }
        callerMs += performance.now() - t0;
      }
    };
    const start = performance.now();
    await Promise.all(Array.from({ length: callers }, caller));
    const seconds = (performance.now() - start) / 1000;
    const submitsPerSecond = (submits - failures) / seconds;
    return {
      binds,
      window,
      latencyMs,
      submits,
      seconds: round(seconds, 3),
      submitsPerSecond: round(submitsPerSecond, 1),
      limitPerSecond: round(limit, 1),
      percentOfLimit: round((100 * submitsPerSecond) / limit, 1),
      simCeiling: false,
      meanCallerMs: round(callerMs / submits, 2),
      failures,
    };
  });
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));

async function main(): Promise<void> {
  const loadBefore = loadavg()[0]!;
  const rttMs: Record<number, number> = {};
  for (const latencyMs of LATENCIES_MS) {
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < REPEAT; i++)
      best = Math.min(best, await measureRtt(latencyMs, RTT_PROBE_SUBMITS[latencyMs]));
    rttMs[latencyMs] = round(best, 3);
  }
  const rows: Row[] = [];
  for (const latencyMs of LATENCIES_MS) {
    for (const binds of BINDS) {
      for (const window of WINDOWS) {
        if (ONLY && !ONLY.includes(`${binds}x${window}@${latencyMs}`)) continue;
        let best: Row | undefined;
        let failures = 0;
        for (let i = 0; i < REPEAT; i++) {
          const row = await run(binds, window, latencyMs, rttMs[latencyMs]!);
          failures += row.failures;
          if (!best || row.submitsPerSecond > best.submitsPerSecond) best = row;
        }
        rows.push({ ...best!, failures });
      }
    }
  }

  // The simulator's ceiling: the best rate any 0 ms run reached (there latency is ~nil and
  // only CPU limits). A limit within 10 % of it, or above, cannot show the plugin's share.
  const ceiling = Math.max(0, ...rows.filter((r) => r.latencyMs === 0).map((r) => r.submitsPerSecond));
  for (const row of rows) row.simCeiling = row.limitPerSecond >= ceiling * 0.9;

  const lines = markdownTable(
    ['binds', 'window', 'latency ms', 'submits/s', 'limit/s (binds×window/RTT)', '% of limit', 'note'],
    rows.map((r) => [
      String(r.binds),
      String(r.window),
      String(r.latencyMs),
      r.submitsPerSecond.toFixed(0),
      r.limitPerSecond.toFixed(0),
      `${r.percentOfLimit.toFixed(1)} %`,
      r.percentOfLimit >= 90
        ? ''
        : r.latencyMs === 0
          ? 'cpu-bound'
          : r.simCeiling
            ? 'sim ceiling'
            : 'below target',
    ]),
  );
  const rttLine = `RTT at window 1 (one caller, one bind): ${LATENCIES_MS.map((l) => `${l} ms latency → ${rttMs[l]} ms`).join(', ')}`;
  const ceilingLine = `Simulator ceiling (best 0 ms run): ${ceiling.toFixed(0)} submits/s`;
  console.log(`${rttLine}\n${ceilingLine}\n`);
  console.log(lines.join('\n'));
  if (RECEIPTS) console.log(`\nMessages: ${seq} submits, each with its receipt published.`);
  const failed = rows.reduce((sum, r) => sum + r.failures, 0);
  if (failed > 0) console.error(`${failed} submits failed`);

  const at = new Date().toISOString();
  const out = join(REPO_ROOT, '.bench');
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, 'smpp.json'),
    `${JSON.stringify({ at, node: process.version, rttMs, ceiling, rows }, null, 2)}\n`,
  );
  const load = `Load average (1 min) before / after the run: ${loadBefore.toFixed(1)} / ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs (other work on the machine competes for them).`;
  console.log(`\n${load}`);
  if (!ONLY && !RECEIPTS) writeFileSync(README, readme(at, `${rttLine}\n${ceilingLine}\n${load}`, lines));
  if (failed > 0) process.exitCode = 1;
}

/**
 * A markdown table with padded columns (numbers right-aligned, the last column left), laid
 * out the way the repository's formatter (biome) writes it, so the README stays lint-clean.
 */
function markdownTable(header: string[], body: string[][]): string[] {
  const last = header.length - 1;
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === last ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (i === last ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  const head = `| ${header.map((h, i) => h.padEnd(widths[i]!)).join(' | ')} |`;
  return [head, rule, ...body.map(line)];
}

function readme(at: string, context: string, table: string[]): string {
  const cpu = cpus();
  return `# SMPP submit benchmark

Written by \`npm run bench:smpp\` (bench/smpp-bench.ts); do not edit by hand. Last run: ${at},
Node ${process.version}, ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}.

The plugin runs in the benchmark process; the SMSC simulator (tools/smsc-sim) in a child
process (bench/sim-process.ts), so the two do not share an event loop. Per configuration a
fresh simulator and plugin, no receipts, \`binds × window × 2\` concurrent callers,
min(${MAX_SUBMITS}, ${TARGET_SECONDS} s worth) submits after a warm-up round; each configuration
(and each RTT probe) runs ${REPEAT} times and the best run is kept, because the machine is
shared and other work only ever slows a run down. The limit is Little's law,
\`binds × window / RTT\`, with RTT the mean round trip of one sequential caller on one bind
at window 1 for that latency. Target: ≥ 90 % of the limit wherever the simulator is not the
ceiling; \`sim ceiling\` marks rows whose limit is at or above what the simulator can answer
at all (the best 0 ms run, minus 10 %): those measure the simulator and the shared CPU, not
the plugin. Window 1 runs at 20 ms show that the limit is real: one outstanding submit per
bind, so ~1/RTT per bind and no more. At 0 ms latency the RTT is processing time alone, which
grows with load, so those rows are \`cpu-bound\` rather than latency-bound; their window-1
rows can pass 100 % because two callers per slot hide the turnaround the one-caller probe
pays.

${context}

${table.join('\n')}
`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
