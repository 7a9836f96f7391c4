/**
 * Kannel's side of the bench: bearerbox + smsbox from Debian's package, an SMPP SMSC of
 * their own (the same simulator, a fresh process, the same latency), the same N messages
 * through `sendsms` from the same number of HTTP clients, with dlr-mask 31 and a dlr-url
 * pointing at an HTTP sink in the harness. "Delivered" is the delivery-report callback
 * (type 1) arriving at the sink. Run once with its queue in memory (Debian's default) and
 * once with a store file, the durable set-up to set beside Maskline's committed rows.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import {
  freePort,
  type KannelBinaries,
  type ProcessHandle,
  processUsage,
  startKannel,
} from '@maskline/local-infra';
import type { BenchOptions } from './args.js';
import { HttpClient } from './http-client.js';
import { DLR, type KannelStore, kannelConfig, sendsmsUrl } from './kannel-config.js';
import { closedLoop, emptyCounters, waitForFinal } from './load.js';
import { startProgress } from './progress.js';
import { type GatewayResult, sinceBaseline } from './report.js';
import { startSimProcess } from './sim-process.js';
import { perSecond, summarize } from './stats.js';

/** Arrival times of each message's reports, by message index. */
export class DlrSink {
  readonly smscAck: Float64Array;
  readonly delivered: Float64Array;
  readonly failed: Float64Array;
  counts = { smscAck: 0, delivered: 0, failed: 0, other: 0 };
  lastDeliveredAt = 0;
  lastAckAt = 0;

  constructor(total: number) {
    this.smscAck = new Float64Array(total).fill(Number.NaN);
    this.delivered = new Float64Array(total).fill(Number.NaN);
    this.failed = new Float64Array(total).fill(Number.NaN);
  }

  /** Records one callback, `/dlr?i=<index>&t=<type>`; false when it is not one. */
  record(url: string, at: number): boolean {
    const parsed = new URL(url, 'http://sink');
    const query = parsed.searchParams;
    if (parsed.pathname !== '/dlr' || !/^\d+$/.test(query.get('i') ?? '')) return false;
    const i = Number(query.get('i'));
    const type = Number(query.get('t'));
    if (!Number.isInteger(i) || i < 0 || i >= this.delivered.length) return false;
    if (type === DLR.smscAck) {
      if (Number.isNaN(this.smscAck[i]!)) this.counts.smscAck++;
      this.smscAck[i] = at;
      this.lastAckAt = Math.max(this.lastAckAt, at);
    } else if (type === DLR.delivered) {
      if (Number.isNaN(this.delivered[i]!)) this.counts.delivered++;
      this.delivered[i] = at;
      this.lastDeliveredAt = Math.max(this.lastDeliveredAt, at);
    } else if (type === DLR.failed || type === DLR.smscReject) {
      if (Number.isNaN(this.failed[i]!)) this.counts.failed++;
      this.failed[i] = at;
    } else {
      this.counts.other++;
    }
    return true;
  }
}

export async function runKannel(
  options: BenchOptions,
  binaries: KannelBinaries,
  dir: string,
  /** Its queue in memory (Debian's default) or in a store file in this run's directory. */
  store: KannelStore,
  /** Called at once with a stop function for whatever this has started, so a signal can stop it too. */
  onRunning: (stop: () => Promise<void>) => void = () => {},
): Promise<GatewayResult> {
  const kannelDir = join(dir, `kannel-${store}`);
  mkdirSync(kannelDir, { recursive: true });
  // Every process as soon as it is spawned: stopped in reverse order on the way out.
  const spawned: ProcessHandle[] = [];
  let stopped = false;
  const stopAll = async () => {
    stopped = true;
    for (const handle of [...spawned].reverse()) await handle.stop('SIGTERM', 10_000);
  };
  const track = (handle: ProcessHandle) => {
    spawned.push(handle);
    if (stopped) void handle.stop(); // a signal stopped the bench meanwhile
  };
  onRunning(stopAll);
  const sink = new DlrSink(options.messages);
  const server = createServer((req, res) => {
    sink.record(req.url ?? '', Date.now());
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const sinkPort = typeof address === 'object' && address ? address.port : 0;
  const sim = await startSimProcess(options.latencyMs, track);
  const ports = { admin: await freePort(), smsbox: await freePort(), sendsms: await freePort() };
  const credentials = { username: 'bench', password: 'bench' };
  const connections = options.workers * options.binds;
  const configFile = join(kannelDir, 'kannel.conf');
  const storeFile = join(kannelDir, 'kannel.store');
  writeFileSync(
    configFile,
    kannelConfig({
      logDir: kannelDir,
      adminPort: ports.admin,
      adminPassword: 'bench-admin',
      smsboxPort: ports.smsbox,
      sendsmsPort: ports.sendsms,
      smscHost: '127.0.0.1',
      smscPort: sim.port,
      connections,
      window: options.window,
      ...credentials,
      store: store === 'file' ? { type: 'file', location: storeFile } : { type: 'memory' },
    }),
  );
  const kannel = await startKannel({
    binaries,
    configFile,
    adminPort: ports.admin,
    adminPassword: 'bench-admin',
    sendsmsPort: ports.sendsms,
    smscConnections: connections,
    onSpawn: track,
  }).catch(async (error: unknown) => {
    await stopAll();
    server.close();
    throw error;
  });
  // bearerbox creates its store file as it starts: no file, no durable row to report.
  if (store === 'file' && !existsSync(storeFile)) {
    await stopAll();
    server.close();
    throw new Error('Kannel started without its store file (store-type = file was not applied)');
  }
  const pid = (p: { process: { pid?: number | undefined } }) =>
    p.process.pid ? processUsage(p.process.pid) : null;
  const usage = () => ({
    bearerbox: pid(kannel.bearerbox),
    smsbox: pid(kannel.smsbox),
    'smsc-sim': sim.usage(),
  });
  try {
    const baseline = usage();
    const counters = emptyCounters();
    let sendingDone = false;
    const cpuBefore = process.cpuUsage();
    const started = Date.now();
    const progress = startProgress(() => ({
      label: store === 'file' ? 'kannel-f' : 'kannel  ',
      total: options.messages,
      accepted: counters.accepted,
      delivered: sink.counts.delivered,
      elapsedMs: Date.now() - started,
    }));
    const http = new HttpClient(options.concurrency);
    const send = async (i: number) => {
      const status = await http.send(
        sendsmsUrl({
          sendsmsPort: ports.sendsms,
          ...credentials,
          from: 'Bench',
          to: `+4479${String(10_000_000 + i)}`,
          text: `bench ${i}`,
          dlrUrl: `http://127.0.0.1:${sinkPort}/dlr?i=${i}&t=%d`,
        }),
      );
      return status === 202;
    };
    const outcomesPromise = closedLoop(options.messages, options.concurrency, send, counters);
    void outcomesPromise.then(() => {
      sendingDone = true;
    });
    await waitForFinal(
      () => ({ final: sink.counts.delivered + sink.counts.failed }),
      () => counters.accepted,
      () => sendingDone,
      Math.max(600_000, options.messages * 50),
    );
    const outcomes = await outcomesPromise;
    http.close();
    progress.stop();
    const harness = process.cpuUsage(cpuBefore);
    const processes = sinceBaseline(usage(), baseline);
    const between = (from: (i: number) => number, to: Float64Array) =>
      outcomes.flatMap((o, i) => (o.accepted && !Number.isNaN(to[i]!) ? [to[i]! - from(i)] : []));
    const sentAt = (i: number) => outcomes[i]!.sentAt;
    const ackAt = (i: number) => sink.smscAck[i]!;
    return {
      gateway: 'kannel',
      store,
      messages: options.messages,
      accepted: counters.accepted,
      submitted: sink.counts.smscAck,
      delivered: sink.counts.delivered,
      failed: sink.counts.failed,
      acceptedPerSecond: perSecond(counters.accepted, counters.lastAcceptedAt - started),
      submittedPerSecond: perSecond(sink.counts.smscAck, sink.lastAckAt - started),
      deliveredPerSecond: perSecond(sink.counts.delivered, sink.lastDeliveredAt - started),
      seconds: (Math.max(sink.lastDeliveredAt, started) - started) / 1000,
      deliveredMeasure:
        'its delivery-report callback (dlr-mask 31, report type 1) arriving at the harness’s HTTP sink; latencies start when the request was sent',
      latencyMs: {
        request: summarize(outcomes.map((o) => o.latencyMs)),
        acceptToSubmitted: summarize(between(sentAt, sink.smscAck)),
        submittedToDelivered: summarize(
          outcomes.flatMap((o, i) =>
            o.accepted && !Number.isNaN(sink.delivered[i]!) && !Number.isNaN(ackAt(i))
              ? [sink.delivered[i]! - ackAt(i)]
              : [],
          ),
        ),
        acceptToDelivered: summarize(between(sentAt, sink.delivered)),
      },
      processes,
      harnessCpuSeconds: (harness.user + harness.system) / 1e6,
    };
  } finally {
    await stopAll();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
