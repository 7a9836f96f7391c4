/**
 * `npm run bench:ingest` (issue #19 item 10): POST /v1/messages requests per second and
 * latency through the real ingest process (API key auth with scopes, the three request
 * limits in Redis, an Idempotency-Key on every request, PostgreSQL insert and BullMQ add),
 * beside a bare fastify process with one route of the same shape, in the same run, from
 * the same client (node:http keep-alive, C connections, D seconds after a warm-up).
 * No delivery worker runs: the jobs wait in Redis. Prints rates, latencies and the ratio.
 *
 * Options: --seconds D (10), --connections C (32), --profile (a CPU profile of the ingest,
 * warm-up included, summarised by function and package).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startBenchInfra } from './bench-infra.js';
import { type CpuProfile, profileTable, summarizeProfile } from './cpu-profile.js';
import { HttpClient } from './http-client.js';
import { type LatencySummary, summarize } from './stats.js';
import { processTreeUsage } from './tree-usage.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    profile: { type: 'boolean', default: false },
  },
});
const profileFile = values.profile
  ? join(mkdtempSync(join(tmpdir(), 'ingest-profile-')), 'ingest.cpuprofile')
  : null;
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const log = (line: string) => console.log(`[ingest-bench] ${line}`);

interface Result {
  requests: number;
  perSecond: number;
  latency: LatencySummary;
  errors: number;
  /** CPU seconds each process spent during the run (server, PostgreSQL, Redis, this client). */
  cpu: Record<string, number>;
}

/** CPU seconds so far of each named process tree (and of this process, the client). */
function cpuNow(pids: Record<string, number | undefined>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) {
    const usage = pid ? processTreeUsage(pid) : null;
    if (usage) out[name] = usage.cpuSeconds;
  }
  const self = process.cpuUsage();
  out.client = (self.user + self.system) / 1e6;
  return out;
}

let sequence = 0;
/** C closed-loop clients for `ms`: each sends the next request when its answer is in. */
async function drive(
  url: string,
  headers: (i: number) => Record<string, string>,
  ms: number,
  pids: Record<string, number | undefined> = {},
): Promise<Result> {
  const client = new HttpClient(connections);
  const cpuBefore = cpuNow(pids);
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const until = started + ms;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < until) {
        const i = sequence++;
        const t0 = performance.now();
        const status = await client
          .send(`${url}/v1/messages`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...headers(i) },
            body: JSON.stringify({ to: `+4479${String(10_000_000 + i)}`, from: 'Bench', body: `bench ${i}` }),
            timeoutMs: 10_000,
          })
          .catch(() => 0);
        latencies.push(performance.now() - t0);
        if (status !== 202) errors++;
      }
    }),
  );
  const elapsed = performance.now() - started;
  client.close();
  const cpuAfter = cpuNow(pids);
  const cpu = Object.fromEntries(
    Object.entries(cpuAfter).map(([name, after]) => [name, after - (cpuBefore[name] ?? after)]),
  );
  return {
    requests: latencies.length,
    perSecond: latencies.length / (elapsed / 1000),
    latency: summarize(latencies),
    errors,
    cpu,
  };
}

/** CPU ms per request of each process, and their sum. */
const cpuLine = (name: string, r: Result) => {
  const per = (s: number) => ((s * 1000) / Math.max(1, r.requests)).toFixed(3);
  const parts = Object.entries(r.cpu).map(([p, s]) => `${p} ${per(s)}`);
  const total = Object.values(r.cpu).reduce((a, b) => a + b, 0);
  return `${name}: CPU ms per request: ${parts.join(', ')}; total ${per(total)} (${(total / (r.requests / r.perSecond)).toFixed(2)} cores busy)`;
};

const row = (name: string, r: Result) =>
  `| ${name} | ${r.requests} | ${Math.round(r.perSecond)} | ${r.latency.p50.toFixed(1)} | ${r.latency.p99.toFixed(1)} | ${r.errors} |`;

const infra = await startBenchInfra('ingest-bench', log);
try {
  const { apiKey } = infra;
  const bare = spawn(process.execPath, [fileURLToPath(new URL('./bare-fastify.js', import.meta.url))], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  infra.onClose(async () => void bare.kill('SIGTERM'));
  const bareUrl = await new Promise<string>((resolve, reject) => {
    bare.stdout.on('data', (chunk: Buffer) => {
      const address = /"address":"([^"]+)"/.exec(chunk.toString())?.[1];
      if (address) resolve(address);
    });
    bare.once('exit', (code) => reject(new Error(`bare fastify exited with ${code}`)));
  });

  // Limits on and counted on every request, set above what the bench offers.
  const ingestUrl = await infra.startIngest({
    RATE_LIMIT_PER_MINUTE: '100000000',
    RATE_LIMIT_TENANT_PER_MINUTE: '100000000',
    ...(profileFile
      ? {
          NODE_OPTIONS: `--import=${new URL('./cpu-profiler.js', import.meta.url).href}`,
          MASKLINE_CPU_PROFILE_FILE: profileFile,
        }
      : {}),
  });

  const ingestHeaders = (i: number) => ({
    authorization: `Bearer ${apiKey}`,
    'idempotency-key': `bench-${i}`,
  });
  const warmMs = 2_000;
  log(`warming up both for ${warmMs / 1000} s each`);
  await drive(bareUrl, () => ({}), warmMs);
  await drive(ingestUrl, ingestHeaders, warmMs);
  log(`${connections} connections, ${seconds} s each`);
  const pids = infra.pids();
  const bareResult = await drive(bareUrl, () => ({}), seconds * 1000, { server: bare.pid });
  const ingestResult = await drive(ingestUrl, ingestHeaders, seconds * 1000, {
    server: pids.ingest,
    postgres: pids.postgres,
    redis: pids.redis,
  });
  console.log('\n| server | requests | requests/s | p50 ms | p99 ms | non-202 |');
  console.log('| --- | --: | --: | --: | --: | --: |');
  console.log(row('bare fastify route', bareResult));
  console.log(row('Maskline ingest (auth, scopes, limits, idempotency, PG, BullMQ)', ingestResult));
  console.log(
    `\nratio ingest / bare: ${(ingestResult.perSecond / bareResult.perSecond).toFixed(2)} (target >= 0.5)`,
  );
  console.log(cpuLine('bare fastify route', bareResult));
  console.log(cpuLine('Maskline ingest', ingestResult));
} finally {
  await infra.close();
}
if (profileFile) {
  // Written by the ingest as it exited (infra.close() stopped it).
  const summary = summarizeProfile(JSON.parse(readFileSync(profileFile, 'utf8')) as CpuProfile, 20);
  console.log(
    `\ningest CPU profile (${profileFile}): busy ${summary.busyMs.toFixed(0)} ms of ${summary.durationMs.toFixed(0)} ms`,
  );
  console.log(`\n${profileTable(summary.byPackage, 'package')}\n\n${profileTable(summary.topFunctions)}`);
}
