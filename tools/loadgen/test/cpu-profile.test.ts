import { describe, expect, it } from 'vitest';
import { type CpuProfile, packageOf, profileTable, summarizeProfile } from '../src/cpu-profile.js';

const frame = (id: number, functionName: string, url = '', lineNumber = 0) => ({
  id,
  callFrame: { functionName, url, lineNumber },
});

const profile: CpuProfile = {
  nodes: [
    { ...frame(1, '(root)'), children: [2, 7, 6] },
    { ...frame(7, 'query', 'file:///repo/node_modules/pg/lib/client.js', 500), children: [3, 4] },
    frame(2, '(idle)'),
    frame(3, 'writev', 'node:internal/stream_base_commons', 120),
    frame(4, 'parse', 'file:///repo/node_modules/pg-protocol/dist/parser.js', 40),
    frame(5, 'seal', 'file:///repo/packages/vault/dist/seal.js', 9),
    frame(6, '(garbage collector)'),
  ],
  startTime: 0,
  endTime: 10_000,
  // one sample per ms: idle 4, writev 3, parse 2, seal 1 (+1 GC)
  samples: [2, 2, 2, 2, 3, 3, 3, 4, 4, 5, 6],
  timeDeltas: Array(11).fill(1000),
};

describe('summarizeProfile', () => {
  it('ranks self time by function and by package', () => {
    const s = summarizeProfile(profile);
    expect(s.durationMs).toBe(11);
    expect(s.busyMs).toBe(7);
    expect(s.topFunctions.map((f) => f.frame)).toEqual([
      '(idle)',
      'writev node:internal/stream_base_commons:121',
      'parse pg-protocol/dist/parser.js:41',
      'seal packages/vault/dist/seal.js:10',
      '(garbage collector)',
    ]);
    expect(s.topFunctions[1]!.selfMs).toBe(3);
    expect(s.byPackage.map((p) => p.frame)).toEqual([
      '(idle)',
      'node: (internals)',
      'pg-protocol',
      'packages/vault',
      '(garbage collector)',
    ]);
  });

  it('charges node internals to the package that called them', () => {
    const s = summarizeProfile(profile);
    // writev (3 ms) was called from pg's query; pg-protocol is a package of its own.
    expect(s.byCallingPackage.map((p) => [p.frame, p.selfMs])).toEqual([
      ['(idle)', 4],
      ['pg', 3],
      ['pg-protocol', 2],
      ['packages/vault', 1],
      ['(garbage collector)', 1],
    ]);
  });

  it('falls back on hit counts without samples', () => {
    const s = summarizeProfile({
      nodes: [
        { ...frame(1, 'a', 'file:///x/apps/ingest/dist/a.js'), hitCount: 3 },
        { ...frame(2, 'b', 'file:///x/apps/ingest/dist/b.js'), hitCount: 1 },
      ],
      startTime: 0,
      endTime: 4_000,
    });
    expect(s.topFunctions[0]).toMatchObject({ frame: 'a apps/ingest/dist/a.js:1', selfMs: 3, share: 0.75 });
  });

  it('names packages, scoped ones included', () => {
    expect(packageOf('file:///r/node_modules/@opentelemetry/api/build/x.js', 'f')).toBe('@opentelemetry/api');
    expect(packageOf('file:///r/plugins/carrier-smpp/dist/x.js', 'f')).toBe('plugins/carrier-smpp');
    expect(packageOf('', '(program)')).toBe('(program)');
    expect(packageOf('', 'nativeThing')).toBe('(native)');
  });

  it('renders a table', () => {
    const table = profileTable(summarizeProfile(profile).byPackage.slice(0, 1), 'package');
    expect(table.split('\n')).toEqual([
      '| package | self ms | share |',
      '| --- | ---: | ---: |',
      '| `(idle)` | 4 | 36.4 % |',
    ]);
  });
});
