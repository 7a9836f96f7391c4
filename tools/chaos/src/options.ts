import { parseArgs } from 'node:util';

/** The faults a drill can inject, one per run. */
export const FAULTS = [
  'ingest',
  'worker',
  'receipt',
  'redis-flush',
  'redis-kill',
  'pg',
  'smsc',
  'webhook-receiver',
] as const;
export type FaultName = (typeof FAULTS)[number];

/** What `npm run chaos -- …` asked for. */
export interface ChaosOptions {
  /** Messages sent through the API per run. */
  messages: number;
  /** Offered rate, messages per second (an open loop: sends do not wait for answers). */
  rate: number;
  /** The faults to drill, each in its own runs. */
  faults: FaultName[];
  /** Where in the sends the fault is injected, 0..1 (0.4 = when 40 % have been sent). */
  at: number;
  /** Runs per fault. */
  runs: number;
  /** After the last send, how long to wait for every message to become final and its final webhook to arrive. */
  drainTimeoutMs: number;
  /** Simulated SMSC latency before each submit_sm_resp (submits in flight at the fault). */
  carrierLatencyMs: number;
  /** Print JSON instead of the table. */
  json: boolean;
  /** Keep the run's temp dir (logs, journal) instead of removing it. */
  keep: boolean;
}

export const DEFAULTS: Omit<ChaosOptions, 'faults'> & { faults: readonly FaultName[] } = {
  messages: 10_000,
  rate: 250,
  faults: FAULTS,
  at: 0.4,
  runs: 1,
  drainTimeoutMs: 120_000,
  carrierLatencyMs: 50,
  json: false,
  keep: false,
};

export const USAGE = `npm run chaos -- [options]
  --fault F         ${FAULTS.join('|')}|all (default all: one drill per fault)
                    comma-separated for several
  --messages N      messages per run (default ${DEFAULTS.messages})
  --rate N          offered messages per second (default ${DEFAULTS.rate})
  --at P            inject the fault when this share of the sends has gone: 0.4 or 40% (default 40%)
  --runs N          runs per fault (default ${DEFAULTS.runs})
  --drain S         seconds to wait after the last send for every message to be final
                    and its final-status webhook received (default ${DEFAULTS.drainTimeoutMs / 1000})
  --carrier-latency-ms N  simulated SMSC answer delay (default ${DEFAULTS.carrierLatencyMs})
  --json            print the results as JSON instead of a table
  --keep            keep each run's temp dir (app logs, the carrier journal)`;

export class UsageError extends Error {}

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new UsageError(`--${name} must be a positive integer`);
  return Number(raw);
}

function share(raw: string | undefined): number {
  if (raw === undefined) return DEFAULTS.at;
  const match = /^(\d+(?:\.\d+)?)(%?)$/.exec(raw);
  const value = match ? Number(match[1]) / (match[2] ? 100 : 1) : Number.NaN;
  if (!(value >= 0 && value < 1)) throw new UsageError('--at must be a share of the sends: 0.4 or 40%');
  return value;
}

function faults(raw: string | undefined): FaultName[] {
  if (raw === undefined || raw === 'all') return [...FAULTS];
  const names = raw.split(',').map((f) => f.trim());
  for (const name of names) {
    if (!(FAULTS as readonly string[]).includes(name))
      throw new UsageError(`--fault ${name}: expected one of ${FAULTS.join(', ')}, all`);
  }
  return names as FaultName[];
}

/** Parses the drill's command line; throws UsageError on anything it does not understand. */
export function parseChaosArgs(argv: readonly string[]): ChaosOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        fault: { type: 'string' },
        messages: { type: 'string' },
        rate: { type: 'string' },
        at: { type: 'string' },
        runs: { type: 'string' },
        drain: { type: 'string' },
        'carrier-latency-ms': { type: 'string' },
        json: { type: 'boolean' },
        keep: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const str = (name: string) => values[name] as string | undefined;
  const latency = str('carrier-latency-ms');
  if (latency !== undefined && !/^\d+$/.test(latency))
    throw new UsageError('--carrier-latency-ms must be a non-negative integer');
  return {
    messages: positiveInt('messages', str('messages'), DEFAULTS.messages),
    rate: positiveInt('rate', str('rate'), DEFAULTS.rate),
    faults: faults(str('fault')),
    at: share(str('at')),
    runs: positiveInt('runs', str('runs'), DEFAULTS.runs),
    drainTimeoutMs: positiveInt('drain', str('drain'), DEFAULTS.drainTimeoutMs / 1000) * 1000,
    carrierLatencyMs: latency === undefined ? DEFAULTS.carrierLatencyMs : Number(latency),
    json: values.json === true,
    keep: values.keep === true,
  };
}
