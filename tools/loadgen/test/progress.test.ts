import { describe, expect, it } from 'vitest';
import { bar, progressLine, startProgress } from '../src/progress.js';

describe('progress', () => {
  it('draws a bar', () => {
    expect(bar(0, 100, 10)).toBe('[----------]   0%');
    expect(bar(50, 100, 10)).toBe('[#####-----]  50%');
    expect(bar(150, 100, 10)).toBe('[##########] 100%');
    expect(bar(1, 0, 4)).toBe('[----]   0%');
  });

  it('writes counts and rates', () => {
    const s = { label: 'maskline', total: 1000, accepted: 500, delivered: 250, elapsedMs: 2_500 };
    expect(progressLine(s, false)).toBe(
      'maskline: accepted 500/1000 (200/s), delivered 250/1000 (100/s), 2.5 s',
    );
    expect(progressLine(s, true)).toContain('[######------------------]  25%');
  });

  it('writes plain lines when the stream is not a terminal', () => {
    const written: string[] = [];
    const stream = { isTTY: false, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
    const p = startProgress(
      () => ({ label: 'x', total: 1, accepted: 1, delivered: 1, elapsedMs: 1000 }),
      stream,
    );
    p.stop();
    expect(written).toEqual(['x: accepted 1/1 (1/s), delivered 1/1 (1/s), 1.0 s\n']);
  });

  it('redraws one line on a terminal', () => {
    const written: string[] = [];
    const stream = {
      isTTY: true,
      columns: 200,
      write: (s: string) => written.push(s),
    } as unknown as NodeJS.WriteStream;
    startProgress(
      () => ({ label: 'x', total: 2, accepted: 1, delivered: 1, elapsedMs: 1000 }),
      stream,
    ).stop();
    expect(written[0]!.startsWith('\r\u001b[2Kx [')).toBe(true);
    expect(written[0]).toContain('-]  50% accepted');
    expect(written.at(-1)).toBe('\n');
  });
});
