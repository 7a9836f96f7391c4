import { describe, expect, it } from 'vitest';
import { DEFAULT_SOAK_SECONDS, parseBenchArgs, UsageError, wantsHelp } from '../src/args.js';

describe('parseBenchArgs', () => {
  it('has the issue’s defaults', () => {
    expect(parseBenchArgs([])).toEqual({
      messages: 20_000,
      concurrency: 64,
      window: 10,
      binds: 1,
      workers: 1,
      latencyMs: 0,
      kannel: 'auto',
      kannelStores: ['memory', 'file'],
      soakSeconds: null,
      soakRate: 50,
      peak: null,
      serverTiming: false,
      heapSampleMs: 1000,
      profile: false,
      tracing: false,
      pgStatements: false,
      appHeapFlags: [],
      outDir: '.bench',
    });
  });

  it('gives the apps V8 heap limits (--app-old-space, --app-semi-space)', () => {
    expect(parseBenchArgs(['--app-old-space', '96', '--app-semi-space=8']).appHeapFlags).toEqual([
      '--max-old-space-size=96',
      '--max-semi-space-size=8',
    ]);
    expect(() => parseBenchArgs(['--app-old-space', 'lots'])).toThrow(UsageError);
    expect(() => parseBenchArgs(['--app-semi-space', '0'])).toThrow(UsageError);
  });

  it('reads every knob', () => {
    const o = parseBenchArgs([
      '--messages',
      '2000',
      '--concurrency=32',
      '--window',
      '100',
      '--binds',
      '2',
      '--workers',
      '2',
      '--latency-ms',
      '20',
      '--no-kannel',
      '--profile',
      '--tracing',
      '--pg-statements',
      '--out',
      '/tmp/b',
    ]);
    expect(o).toMatchObject({
      messages: 2000,
      concurrency: 32,
      window: 100,
      binds: 2,
      workers: 2,
      latencyMs: 20,
      kannel: 'off',
      profile: true,
      tracing: true,
      pgStatements: true,
      outDir: '/tmp/b',
    });
    expect(parseBenchArgs(['--kannel']).kannel).toBe('on');
  });

  it('takes --soak alone (300 s) or with seconds', () => {
    expect(parseBenchArgs(['--soak']).soakSeconds).toBe(DEFAULT_SOAK_SECONDS);
    expect(parseBenchArgs(['--soak', '--soak-rate', '50'])).toMatchObject({ soakSeconds: 300, soakRate: 50 });
    expect(parseBenchArgs(['--soak', '120']).soakSeconds).toBe(120);
    expect(parseBenchArgs(['--soak=60']).soakSeconds).toBe(60);
  });

  it('takes --soak-rate half, with or without --peak', () => {
    expect(parseBenchArgs(['--soak', '--soak-rate', 'half'])).toMatchObject({ soakRate: 'half', peak: null });
    expect(parseBenchArgs(['--soak', '60', '--soak-rate', 'half', '--peak', '900'])).toMatchObject({
      soakSeconds: 60,
      soakRate: 'half',
      peak: 900,
    });
  });

  it('runs Kannel with its memory store, its file store or both', () => {
    expect(parseBenchArgs(['--kannel-store', 'memory']).kannelStores).toEqual(['memory']);
    expect(parseBenchArgs(['--kannel-store', 'file']).kannelStores).toEqual(['file']);
    expect(parseBenchArgs(['--kannel-store=both']).kannelStores).toEqual(['memory', 'file']);
    expect(parseBenchArgs(['--server-timing']).serverTiming).toBe(true);
  });

  it('refuses what it does not understand', () => {
    for (const bad of [
      ['--messages', '0'],
      ['--messages', '1.5'],
      ['--messages', 'many'],
      ['--workers', '3'],
      ['--window', '1001'],
      ['--latency-ms', '-1'],
      ['--soak', '5'],
      ['--kannel', '--no-kannel'],
      ['--kannel-store', 'disk'],
      ['--soak-rate', 'quarter'],
      ['--peak', '1'],
      ['--frobnicate'],
      ['positional'],
    ]) {
      expect(() => parseBenchArgs(bad), bad.join(' ')).toThrow(UsageError);
    }
  });

  it('spots --help', () => {
    expect(wantsHelp(['--messages', '5', '-h'])).toBe(true);
    expect(wantsHelp(['--messages', '5'])).toBe(false);
  });
});
