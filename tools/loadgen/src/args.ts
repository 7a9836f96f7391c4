import { parseArgs } from 'node:util';
import type { KannelStore } from './kannel-config.js';

/** What `npm run bench -- …` asked for. */
export interface BenchOptions {
  /** Messages sent through each gateway. */
  messages: number;
  /** Concurrent HTTP clients (the same for Maskline and Kannel). */
  concurrency: number;
  /** SMPP window: Maskline's windowSize per bind, Kannel's max-pending-submits per connection. */
  window: number;
  /** SMPP binds per delivery-worker process (Kannel gets the same total number of connections). */
  binds: number;
  /** Delivery-worker processes (1 or 2). */
  workers: number;
  /** Simulated SMSC latency: delay before each submit_sm_resp, in ms. */
  latencyMs: number;
  /** Run Kannel side by side: 'auto' = when it is installed or can be installed. */
  kannel: 'auto' | 'on' | 'off';
  /** Kannel runs, in order: its queue in memory (Debian's default), in a store file, or both. */
  kannelStores: KannelStore[];
  /** Seconds of steady load with heap sampling (null = the throughput run). */
  soakSeconds: number | null;
  /**
   * Messages per second during the soak, or 'half': half of the peak delivered/s, from
   * `peak` or else from a throughput probe of `messages` run first on the same stack.
   */
  soakRate: number | 'half';
  /** The measured peak delivered/s for `--soak-rate half` (null: probe it). */
  peak: number | null;
  /** The ingest answers with a Server-Timing header (INGEST_SERVER_TIMING=1); the bench aggregates it. */
  serverTiming: boolean;
  /** Heap sample interval for the apps, ms. */
  heapSampleMs: number;
  /** Write a CPU profile (node --cpu-prof) of every app and summarize the hottest. */
  profile: boolean;
  /** Export spans from the apps to a discarding OTLP sink (tracing cost included). */
  tracing: boolean;
  /** PostgreSQL with pg_stat_statements: the statements that cost the most, per message. */
  pgStatements: boolean;
  /** V8 heap-size flags for every app (--app-old-space, --app-semi-space), added to their NODE_OPTIONS. */
  appHeapFlags: string[];
  /** Where the JSON result and the markdown table go. */
  outDir: string;
}

export const DEFAULT_SOAK_SECONDS = 300;

export const USAGE = `npm run bench -- [options]
  --messages N         messages per gateway (default 20000)
  --concurrency N      concurrent HTTP clients (default 64)
  --window N           SMPP window per bind / Kannel max-pending-submits (default 10)
  --binds N            SMPP binds per delivery worker (default 1)
  --workers 1|2        delivery-worker processes (default 1)
  --latency-ms N       simulated SMSC latency before each submit_sm_resp (default 0)
  --kannel, --no-kannel  run Kannel side by side (default: on when installable)
  --kannel-store memory|file|both
                       Kannel's queue in memory (Debian's default), in a store file
                       (store-type = file), or one run of each (default both)
  --soak [SECONDS]     steady load with heap sampling instead (default 300 s)
  --soak-rate N|half   messages/s during the soak (default 50); half = half of the peak
                       delivered/s, from --peak or a throughput probe of --messages first
  --peak N             the peak delivered/s that --soak-rate half halves (skips the probe)
  --server-timing      the ingest sends Server-Timing (INGEST_SERVER_TIMING=1): per-stage
                       p50 / p99 of the request's time in the report
  --heap-sample-ms N   heap sample interval of each app (default 1000)
  --profile            CPU-profile every app (V8 sampler, as node --cpu-prof), summarize the hottest
  --tracing            apps export spans (to a discarding OTLP sink)
  --pg-statements      PostgreSQL with pg_stat_statements: the statements that cost the
                       most (calls and time per delivered message) in the report
  --app-old-space MiB  every app runs with node --max-old-space-size=MiB (default: V8's)
  --app-semi-space MiB every app runs with node --max-semi-space-size=MiB (default: V8's)
  --out DIR            result directory (default .bench)`;

export class UsageError extends Error {}

/**
 * Parses the bench's command line. `--soak` may stand alone (300 s) or take seconds.
 * Throws UsageError on anything it does not understand.
 */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const args = [...argv];
  // `--soak` with no number after it means the default duration.
  const soakAt = args.indexOf('--soak');
  if (soakAt >= 0 && !/^\d+$/.test(args[soakAt + 1] ?? '')) {
    args.splice(soakAt + 1, 0, String(DEFAULT_SOAK_SECONDS));
  }
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(args).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const whole = (name: string, raw: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER) => {
    const value = Number(raw);
    if (raw === undefined || !/^\d+$/.test(raw) || value < min || value > max) {
      throw new UsageError(
        `--${name} must be a whole number ${max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`}`,
      );
    }
    return value;
  };
  if (values.kannel && values['no-kannel']) throw new UsageError('--kannel and --no-kannel together');
  return {
    messages: whole('messages', values.messages, 1),
    concurrency: whole('concurrency', values.concurrency, 1),
    window: whole('window', values.window, 1, 1000),
    binds: whole('binds', values.binds, 1, 32),
    workers: whole('workers', values.workers, 1, 2),
    latencyMs: whole('latency-ms', values['latency-ms'], 0, 60_000),
    kannel: values.kannel ? 'on' : values['no-kannel'] ? 'off' : 'auto',
    soakSeconds: values.soak === undefined ? null : whole('soak', values.soak, 10),
    kannelStores: kannelStores(values['kannel-store']),
    soakRate: values['soak-rate'] === 'half' ? 'half' : whole('soak-rate', values['soak-rate'], 1),
    peak: values.peak === undefined ? null : whole('peak', values.peak, 2),
    serverTiming: values['server-timing'] === true,
    heapSampleMs: whole('heap-sample-ms', values['heap-sample-ms'], 10),
    profile: values.profile === true,
    tracing: values.tracing === true,
    pgStatements: values['pg-statements'] === true,
    appHeapFlags: [
      ...(values['app-old-space'] === undefined
        ? []
        : [`--max-old-space-size=${whole('app-old-space', values['app-old-space'], 16)}`]),
      ...(values['app-semi-space'] === undefined
        ? []
        : [`--max-semi-space-size=${whole('app-semi-space', values['app-semi-space'], 1, 256)}`]),
    ],
    outDir: values.out ?? '.bench',
  };
}

function kannelStores(raw: string | undefined): KannelStore[] {
  if (raw === 'both') return ['memory', 'file'];
  if (raw === 'memory' || raw === 'file') return [raw];
  throw new UsageError('--kannel-store must be memory, file or both');
}

function parse(args: string[]) {
  return parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      messages: { type: 'string', default: '20000' },
      concurrency: { type: 'string', default: '64' },
      window: { type: 'string', default: '10' },
      binds: { type: 'string', default: '1' },
      workers: { type: 'string', default: '1' },
      'latency-ms': { type: 'string', default: '0' },
      kannel: { type: 'boolean' },
      'no-kannel': { type: 'boolean' },
      soak: { type: 'string' },
      'kannel-store': { type: 'string', default: 'both' },
      'soak-rate': { type: 'string', default: '50' },
      peak: { type: 'string' },
      'server-timing': { type: 'boolean' },
      'heap-sample-ms': { type: 'string', default: '1000' },
      profile: { type: 'boolean' },
      tracing: { type: 'boolean' },
      'pg-statements': { type: 'boolean' },
      'app-old-space': { type: 'string' },
      'app-semi-space': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** True when the command line asks for the usage text. */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}
