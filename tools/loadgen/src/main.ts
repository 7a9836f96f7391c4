#!/usr/bin/env node
/**
 * `npm run bench`: N messages (default 2,000) from C concurrent HTTP clients (default 64)
 * through the whole stack on loopback — ingest → PostgreSQL → BullMQ → delivery worker →
 * SMPP → smsc-sim → receipt → receipt processor → `delivered` — with durable PostgreSQL
 * (fsync on) and Redis of its own. Prints a markdown table; writes .bench/e2e.json.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ensureInfraBinaries,
  freePort,
  type ProcessUsage,
  processUsage,
  REPO_ROOT,
  startPostgres,
  startRedis,
} from '@maskline/local-infra';
import { inParallel, StackFixture } from '@maskline/testing/stack';
import { summarize } from './stats.js';

const { values: args } = parseArgs({
  options: {
    messages: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '64' },
    window: { type: 'string', default: '10' },
    binds: { type: 'string', default: '1' },
  },
});
const total = Number(args.messages);
const concurrency = Number(args.concurrency);
const windowSize = Number(args.window);
const binds = Number(args.binds);
for (const [name, value] of Object.entries({ messages: total, concurrency, window: windowSize, binds })) {
  if (!Number.isInteger(value) || value < 1) {
    console.error(`--${name} must be a positive whole number`);
    process.exit(2);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'maskline-bench-'));
chmodSync(dir, 0o755); // PostgreSQL runs as the postgres user when we are root
const binaries = ensureInfraBinaries((l) => console.log(l));
const redis = await startRedis({
  redisServer: binaries.redisServer,
  dataDir: join(dir, 'redis'),
  port: await freePort(),
});
const postgres = await startPostgres({
  binDir: binaries.postgresBinDir,
  dataDir: join(dir, 'pg'),
  port: await freePort(),
});
const stack = new StackFixture({
  redisUrl: redis.url,
  postgresUrl: postgres.url,
  logLevel: 'info',
  tracing: false,
  carrierConfig: { windowSize, binds },
});

try {
  await stack.start();
  console.log(
    `sending ${total} messages from ${concurrency} clients (SMPP: ${binds} bind(s), window ${windowSize})…`,
  );
  const started = Date.now();
  let done = 0;
  const progress = setInterval(() => process.stdout.write(`\r  accepted ${done}/${total}`), 250);
  const responses = await inParallel(
    Array.from({ length: total }, (_, i) => i),
    concurrency,
    async (i) => {
      const r = await stack.send({ to: `+4479${String(10_000_000 + i)}`, from: 'Bench', body: `bench ${i}` });
      done++;
      return r;
    },
  );
  clearInterval(progress);
  const acceptedAt = Date.now();
  const ids = responses.filter((r) => r.status === 202).map((r) => String(r.body.id));
  const statuses = await stack.waitForStatus(
    ids,
    ['delivered', 'failed', 'rejected', 'undeliverable'],
    600_000,
  );
  const finishedAt = Date.now();
  const delivered = [...statuses.values()].filter((s) => s === 'delivered').length;

  const rows = await stack.db.pool.query<{ ingest_to_submit: number; submit_to_done: number; total: number }>(
    `SELECT extract(epoch FROM submitted_at - created_at) * 1000 AS ingest_to_submit,
            extract(epoch FROM done_at - submitted_at) * 1000 AS submit_to_done,
            extract(epoch FROM done_at - created_at) * 1000 AS total
     FROM messages WHERE id = ANY($1::uuid[]) AND status = 'delivered'`,
    [ids],
  );
  const seconds = (finishedAt - started) / 1000;
  const processes: Record<string, ProcessUsage | null> = {};
  for (const [name, app] of stack.apps) processes[name] = app.usage();
  processes['loadgen+smsc-sim'] = processUsage(process.pid);
  const result = {
    messages: total,
    concurrency,
    windowSize,
    binds,
    accepted: ids.length,
    delivered,
    acceptedPerSecond: Math.round(ids.length / ((acceptedAt - started) / 1000)),
    deliveredPerSecondEndToEnd: Math.round(delivered / seconds),
    seconds,
    processes,
    latencyMs: {
      acceptToSubmitted: summarize(rows.rows.map((r) => Number(r.ingest_to_submit))),
      submittedToDelivered: summarize(rows.rows.map((r) => Number(r.submit_to_done))),
      acceptToDelivered: summarize(rows.rows.map((r) => Number(r.total))),
    },
  };
  const out = join(REPO_ROOT, '.bench');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'e2e.json'), `${JSON.stringify(result, null, 2)}\n`);
  const l = result.latencyMs;
  const f = (s: { p50: number; p95: number; p99: number }) =>
    `${s.p50.toFixed(0)} / ${s.p95.toFixed(0)} / ${s.p99.toFixed(0)}`;
  console.log(`\n
| measure | value |
| --- | --- |
| messages accepted / delivered | ${result.accepted} / ${result.delivered} |
| accepted/s (HTTP 202) | ${result.acceptedPerSecond} |
| delivered/s, first request to last delivered | ${result.deliveredPerSecondEndToEnd} |
| wall time | ${seconds.toFixed(2)} s |
| accepted → submitted p50/p95/p99 ms | ${f(l.acceptToSubmitted)} |
| submitted → delivered p50/p95/p99 ms | ${f(l.submittedToDelivered)} |
| accepted → delivered p50/p95/p99 ms | ${f(l.acceptToDelivered)} |

| process | CPU s | peak RSS MiB |
| --- | --- | --- |
${Object.entries(processes)
  .map(
    ([name, u]) =>
      `| ${name} | ${u ? u.cpuSeconds.toFixed(1) : '?'} | ${u ? u.peakRssMiB.toFixed(0) : '?'} |`,
  )
  .join('\n')}
`);
} finally {
  await stack.stop();
  await Promise.all([redis.stop(), postgres.stop()]);
  rmSync(dir, { recursive: true, force: true });
}
