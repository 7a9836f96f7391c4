/**
 * `npm run bench:smpp`: submit throughput of the SMPP plugin against the in-process SMSC
 * simulator, per configuration (binds 1/4, windows 1/10/50, SMSC latency 0/20 ms), beside its
 * Little's-law limit binds × window / RTT. RTT is the mean submit round trip of one sequential
 * caller on one bind at window 1 for that latency. At 0 ms latency the limit is CPU, not
 * latency. Prints a markdown table; writes .bench/smpp.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { smppCarrierPlugin } from '@maskline/carrier-smpp';
import { type CarrierPlugin, type PluginContext, silentLogger, systemClock } from '@maskline/core';
import { startSmscSimulator } from '@maskline/smsc-sim';
import { trace } from '@opentelemetry/api';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const BINDS = [1, 4] as const;
const WINDOWS = [1, 10, 50] as const;
const LATENCIES_MS = [0, 20] as const;
const MAX_SUBMITS = 5000;
const TARGET_SECONDS = 3;
const RTT_PROBE_SUBMITS = { 0: 500, 20: 50 } as const;

const ctx: PluginContext = {
  carrierId: 'bench',
  logger: silentLogger,
  tracer: trace.getTracer('bench'),
  clock: systemClock,
  events: { publish: async () => {} },
};

interface Row {
  binds: number;
  window: number;
  latencyMs: number;
  submits: number;
  seconds: number;
  submitsPerSecond: number;
  /** binds × window / RTT; null at 0 ms latency (cpu-bound). */
  limitPerSecond: number | null;
  percentOfLimit: number | null;
  /** Mean round trip one caller saw in this configuration (queueing included). */
  meanCallerMs: number;
  failures: number;
}

let seq = 0;
const submitOne = (plugin: CarrierPlugin) =>
  plugin.submit({
    messageId: `bench-${++seq}`,
    to: '+447911123456',
    from: 'Bench',
    body: 'hello',
    requestReceipt: false,
  });

/** Starts a fresh simulator and plugin, runs `fn`, closes both. */
async function withPlugin<T>(
  latencyMs: number,
  binds: number,
  windowSize: number,
  fn: (plugin: CarrierPlugin) => Promise<T>,
): Promise<T> {
  const sim = await startSmscSimulator({ controlPort: null, submitRespDelayMs: latencyMs });
  try {
    const config = smppCarrierPlugin.configSchema.parse({
      host: '127.0.0.1',
      port: sim.smppPort,
      systemId: 'bench',
      password: 'bench',
      binds,
      windowSize,
      requestTimeoutMs: 30_000,
    });
    const plugin = smppCarrierPlugin.create(ctx, config);
    await plugin.start();
    // start() resolves once one bind is up; wait for all of them.
    while (plugin.health().status !== 'up') await new Promise((r) => setTimeout(r, 5));
    try {
      return await fn(plugin);
    } finally {
      await plugin.close();
    }
  } finally {
    await sim.close();
  }
}

/** Mean round trip (ms) of `n` sequential submits on one bind at window 1. */
async function measureRtt(latencyMs: number, n: number): Promise<number> {
  return withPlugin(latencyMs, 1, 1, async (plugin) => {
    for (let i = 0; i < Math.min(n, 50); i++) await submitOne(plugin); // warm-up
    const start = performance.now();
    for (let i = 0; i < n; i++) await submitOne(plugin);
    return (performance.now() - start) / n;
  });
}

async function run(binds: number, window: number, latencyMs: number, rttMs: number): Promise<Row> {
  const limit = latencyMs > 0 ? (binds * window * 1000) / rttMs : null;
  const submits = limit === null ? MAX_SUBMITS : Math.min(MAX_SUBMITS, Math.ceil(limit * TARGET_SECONDS));
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
      limitPerSecond: limit === null ? null : round(limit, 1),
      percentOfLimit: limit === null ? null : round((100 * submitsPerSecond) / limit, 1),
      meanCallerMs: round(callerMs / submits, 2),
      failures,
    };
  });
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));

async function main(): Promise<void> {
  const rttMs: Record<number, number> = {};
  for (const latencyMs of LATENCIES_MS) {
    rttMs[latencyMs] = round(await measureRtt(latencyMs, RTT_PROBE_SUBMITS[latencyMs]), 3);
  }
  const rows: Row[] = [];
  for (const latencyMs of LATENCIES_MS) {
    for (const binds of BINDS) {
      for (const window of WINDOWS) {
        rows.push(await run(binds, window, latencyMs, rttMs[latencyMs]!));
      }
    }
  }

  const lines = [
    '| binds | window | latency ms | submits/s | limit/s | % of limit |',
    '| ----: | -----: | ---------: | --------: | ------: | ---------: |',
    ...rows.map((r) =>
      [
        r.binds,
        r.window,
        r.latencyMs,
        r.submitsPerSecond.toFixed(0),
        r.limitPerSecond === null ? 'cpu-bound' : r.limitPerSecond.toFixed(0),
        r.percentOfLimit === null ? '—' : `${r.percentOfLimit.toFixed(1)} %`,
      ].join(' | '),
    ),
  ].map((line) => (line.startsWith('| ') ? line : `| ${line} |`));
  console.log(
    `RTT at window 1 (one caller, one bind): ${LATENCIES_MS.map((l) => `${l} ms latency → ${rttMs[l]} ms`).join(', ')}\n`,
  );
  console.log(lines.join('\n'));
  const failed = rows.reduce((sum, r) => sum + r.failures, 0);
  if (failed > 0) console.error(`${failed} submits failed`);

  const out = join(REPO_ROOT, '.bench');
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, 'smpp.json'),
    `${JSON.stringify({ at: new Date().toISOString(), node: process.version, rttMs, rows }, null, 2)}\n`,
  );
  if (failed > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
