/**
 * The two loads on Maskline's stack: the throughput run (N messages from C clients, each
 * followed to its final state) and the soak (a steady rate, heap sampled in every app).
 * Latencies past the HTTP answer come from the message rows' timestamps.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { BenchOptions } from './args.js';
import { closedLoop, emptyCounters, openLoop, type RequestOutcome, waitForFinal } from './load.js';
import { FINAL, type MasklineStack, SOAK_GC_EVERY_MS } from './maskline.js';
import { readStatements, resetStatements } from './pg-statements.js';
import { startProgress } from './progress.js';
import { readRedisCommands, resetRedisCommands } from './redis-commands.js';
import { type Backlog, type GatewayResult, sinceBaseline } from './report.js';
import type { SoakResult } from './soak-report.js';
import { heapGrowth, type LatencySummary, parseHeapSamples, perSecond, summarize } from './stats.js';
import { enableWalTiming, readWal, STATS_SETTLE_MS, walSince } from './wal-stats.js';

/**
 * Waits for the load to finish sending and every accepted message created from `sinceMs`
 * on to reach a final state (polling the database; `onDelivered` keeps the progress line
 * current with the messages final so far). Each poll also notes what each stage holds while the next is behind.
 */
async function sendAndDrain(
  stack: MasklineStack,
  counters: ReturnType<typeof emptyCounters>,
  sending: Promise<RequestOutcome[]>,
  timeoutMs: number,
  onDelivered: (delivered: number) => void,
  sinceMs: number,
  backlog: Backlog,
): Promise<RequestOutcome[]> {
  let sendingDone = false;
  const outcomes = sending.then((o) => {
    sendingDone = true;
    return o;
  });
  await waitForFinal(
    async () => {
      const c = await stack.counts(counters.accepted, sinceMs);
      onDelivered(Math.max(0, c.final));
      noteBacklog(backlog, counters.accepted, c);
      return c;
    },
    () => counters.accepted,
    () => sendingDone,
    timeoutMs,
  );
  return outcomes;
}

export function noteBacklog(
  backlog: Backlog,
  accepted: number,
  counts: { submitted: number; final: number },
): void {
  backlog.peakNotSubmitted = Math.max(backlog.peakNotSubmitted, accepted - counts.submitted);
  backlog.peakAwaitingReceipt = Math.max(backlog.peakAwaitingReceipt, counts.submitted - counts.final);
}

interface MessageTimes {
  id: string;
  status: string;
  created: number;
  submitted: number | null;
  done: number | null;
}

/** Every message created from `sinceMs` on: its status and timestamps (epoch ms). */
async function messageTimes(stack: MasklineStack, sinceMs: number): Promise<MessageTimes[]> {
  const { rows } = await stack.db.pool.query<MessageTimes>(
    `SELECT id, status, extract(epoch FROM created_at) * 1000 AS created,
            extract(epoch FROM submitted_at) * 1000 AS submitted,
            extract(epoch FROM done_at) * 1000 AS done
     FROM messages WHERE created_at >= to_timestamp($1 / 1000.0)`,
    [sinceMs],
  );
  return rows.map((r) => ({
    id: r.id,
    status: r.status,
    created: Number(r.created),
    submitted: r.submitted === null ? null : Number(r.submitted),
    done: r.done === null ? null : Number(r.done),
  }));
}

/** accepted → submitted, submitted → delivered, accepted → delivered, from the rows. */
function rowLatencies(rows: MessageTimes[]): {
  acceptToSubmitted: LatencySummary;
  submittedToDelivered: LatencySummary;
  acceptToDelivered: LatencySummary;
} {
  const done = rows.filter((r) => r.status === 'delivered');
  const diff = (list: MessageTimes[], a: 'created' | 'submitted', b: 'submitted' | 'done') =>
    list.flatMap((r) => (r[a] !== null && r[b] !== null ? [r[b]! - r[a]!] : []));
  return {
    acceptToSubmitted: summarize(diff(rows, 'created', 'submitted')),
    submittedToDelivered: summarize(diff(done, 'submitted', 'done')),
    acceptToDelivered: summarize(diff(done, 'created', 'done')),
  };
}

/**
 * Waits (up to 60 s) for the `delivered` webhook of every message committed as delivered,
 * then reads when each arrived: the count, the last arrival, and arrival − commit (done_at).
 */
async function webhookFigures(
  stack: MasklineStack,
  done: MessageTimes[],
  started: number,
): Promise<{ delivered: number; lastArrival: number; afterCommitMs: LatencySummary }> {
  const arrivals = stack.webhooks.deliveredAt;
  const deadline = Date.now() + 60_000;
  while (done.some((r) => !arrivals.has(r.id)) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const pairs = done.flatMap((r) => {
    const at = arrivals.get(r.id);
    return at === undefined ? [] : [{ at, done: r.done! }];
  });
  return {
    delivered: pairs.length,
    lastArrival: Math.max(started, ...pairs.map((p) => p.at)),
    afterCommitMs: summarize(pairs.map((p) => p.at - p.done)),
  };
}

/** The throughput run: N messages from C clients, then every one followed to its final state. */
export async function runMaskline(stack: MasklineStack, options: BenchOptions): Promise<GatewayResult> {
  const baseline = stack.usage();
  const backlog: Backlog = { peakNotSubmitted: 0, peakAwaitingReceipt: 0 };
  const walTimed = await enableWalTiming(stack.db.pool);
  const statements = options.pgStatements && (await resetStatements(stack.db.pool));
  const walBefore = await readWal(stack.db.pool);
  const redisCounted = await resetRedisCommands(stack.redisUrl);
  const counters = emptyCounters();
  let delivered = 0;
  const cpuBefore = process.cpuUsage();
  const started = Date.now();
  const progress = startProgress(() => ({
    label: 'maskline',
    total: options.messages,
    accepted: counters.accepted,
    delivered,
    elapsedMs: Date.now() - started,
  }));
  const outcomes = await sendAndDrain(
    stack,
    counters,
    closedLoop(options.messages, options.concurrency, (i) => stack.send(i), counters),
    Math.max(600_000, options.messages * 50),
    (n) => {
      delivered = n;
    },
    0,
    backlog,
  );
  progress.stop();
  const harness = process.cpuUsage(cpuBefore);
  const processes = sinceBaseline(stack.usage(), baseline);
  const redisCommands = redisCounted ? await readRedisCommands(stack.redisUrl) : null;
  // The apps' backends report their WAL counters within 10 s of going idle.
  await new Promise((r) => setTimeout(r, STATS_SETTLE_MS));
  const walAfter = await readWal(stack.db.pool);
  // Read before the harness's own queries below add to it.
  const topStatements = statements ? await readStatements(stack.db.pool) : null;
  const rows = await messageTimes(stack, 0);
  const done = rows.filter((r) => r.status === 'delivered');
  const submittedRows = rows.filter((r) => r.submitted !== null);
  const lastSubmitted = Math.max(started, ...submittedRows.map((r) => r.submitted!));
  const lastCommitted = Math.max(started, ...done.map((r) => r.done!));
  const webhook = await webhookFigures(stack, done, started);
  const lastDelivered = webhook.lastArrival;
  return {
    gateway: 'maskline',
    messages: options.messages,
    accepted: counters.accepted,
    submitted: submittedRows.length,
    delivered: webhook.delivered,
    failed: rows.filter((r) => r.status !== 'delivered' && FINAL.includes(r.status)).length,
    acceptedPerSecond: perSecond(counters.accepted, counters.lastAcceptedAt - started),
    submittedPerSecond: perSecond(submittedRows.length, lastSubmitted - started),
    deliveredPerSecond: perSecond(webhook.delivered, lastDelivered - started),
    seconds: (lastDelivered - started) / 1000,
    deliveredMeasure:
      'the signed `message.status: delivered` webhook reaching the harness (signature checked); the PostgreSQL commit (done_at) is reported beside it',
    latencyMs: {
      request: summarize(outcomes.map((o) => o.latencyMs)),
      ...rowLatencies(rows),
    },
    webhook: {
      committed: done.length,
      committedPerSecond: perSecond(done.length, lastCommitted - started),
      afterCommitMs: webhook.afterCommitMs,
      badSignatures: stack.webhooks.badSignatures,
    },
    processes,
    harnessCpuSeconds: (harness.user + harness.system) / 1e6,
    ...(stack.serverTimings.requests > 0 ? { serverTiming: stack.serverTimings.summary() } : {}),
    backlog,
    ...(walBefore && walAfter ? { wal: walSince(walAfter, walBefore, walTimed) } : {}),
    ...(topStatements ? { statements: topStatements } : {}),
    ...(redisCommands ? { redisCommands } : {}),
  };
}

/**
 * The soak: `rate` messages/s for `seconds`, heap sampled in every app; stops by itself.
 * Only this load's messages count (a throughput probe may have run before it).
 */
export async function runSoak(
  stack: MasklineStack,
  options: BenchOptions,
  rate: number,
  rateSource: SoakResult['rateSource'],
): Promise<SoakResult> {
  const baseline = stack.usage();
  const backlog: Backlog = { peakNotSubmitted: 0, peakAwaitingReceipt: 0 };
  const seconds = options.soakSeconds ?? 300;
  const counters = emptyCounters();
  let delivered = 0;
  const started = Date.now();
  const total = Math.round(rate * seconds);
  stack.serverTimings.clear(); // the probe's requests are not the soak's
  const progress = startProgress(
    () => ({
      label: `soak ${Math.min(seconds, Math.round((Date.now() - started) / 1000))}/${seconds} s`,
      total,
      accepted: counters.accepted,
      delivered,
      elapsedMs: Date.now() - started,
    }),
    process.stderr,
    15_000,
  );
  const outcomes = await sendAndDrain(
    stack,
    counters,
    openLoop(rate, seconds, options.concurrency, (i) => stack.send(i), counters),
    (seconds + 300) * 1000,
    (n) => {
      delivered = n;
    },
    started,
    backlog,
  );
  progress.stop();
  const heap: SoakResult['heap'] = {};
  for (const app of stack.apps) {
    const file = stack.heapFile(app.name);
    // Only the samples taken while the load ran: not start-up, not the drain at the end.
    const samples = existsSync(file) ? parseHeapSamples(readFileSync(file, 'utf8')) : [];
    heap[app.name] = heapGrowth(samples.filter((s) => s.t >= started && s.t <= started + seconds * 1000));
  }
  const rows = await messageTimes(stack, started);
  const timings = stack.serverTimings.requests > 0 ? stack.serverTimings.summary() : null;
  const latencies = rowLatencies(rows);
  return {
    seconds,
    gcEverySeconds: SOAK_GC_EVERY_MS / 1000,
    rate,
    rateSource,
    sent: counters.sent,
    skipped: counters.skipped,
    requestLatencyMs: summarize(outcomes.filter((o) => !Number.isNaN(o.latencyMs)).map((o) => o.latencyMs)),
    submittedToDeliveredMs: latencies.submittedToDelivered,
    acceptToDeliveredMs: latencies.acceptToDelivered,
    accepted: counters.accepted,
    delivered,
    heap,
    processes: sinceBaseline(stack.usage(), baseline),
    ...(timings ? { serverTiming: timings } : {}),
    backlog,
  };
}
