import { describe, expect, it } from 'vitest';
import { DEFAULTS, FAULTS, parseChaosArgs, UsageError } from '../src/options.js';

describe('parseChaosArgs', () => {
  it('defaults to every fault once, 10,000 messages at 250/s, the fault at 40 %', () => {
    expect(parseChaosArgs([])).toEqual({ ...DEFAULTS, faults: [...FAULTS] });
  });

  it('knows the webhook-receiver fault, and runs it with all', () => {
    expect(parseChaosArgs(['--fault', 'webhook-receiver']).faults).toEqual(['webhook-receiver']);
    expect(parseChaosArgs(['--fault', 'all']).faults).toContain('webhook-receiver');
  });

  it('reads every option', () => {
    const options = parseChaosArgs([
      '--fault',
      'worker,pg,webhook-receiver',
      '--messages',
      '400',
      '--rate',
      '100',
      '--at',
      '25%',
      '--runs',
      '2',
      '--drain',
      '30',
      '--carrier-latency-ms',
      '0',
      '--json',
      '--keep',
    ]);
    expect(options).toEqual({
      faults: ['worker', 'pg', 'webhook-receiver'],
      messages: 400,
      rate: 100,
      at: 0.25,
      runs: 2,
      drainTimeoutMs: 30_000,
      carrierLatencyMs: 0,
      json: true,
      keep: true,
    });
    expect(parseChaosArgs(['--at', '0.6']).at).toBe(0.6);
  });

  it.each([
    [['--fault', 'disk']],
    [['--messages', '0']],
    [['--rate', 'fast']],
    [['--at', '100%']],
    [['--at', '1.5']],
    [['--carrier-latency-ms', '-1']],
    [['--unknown']],
    [['positional']],
  ])('refuses %j', (argv) => {
    expect(() => parseChaosArgs(argv)).toThrow(UsageError);
  });
});
