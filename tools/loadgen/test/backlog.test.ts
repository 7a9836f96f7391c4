import { describe, expect, it } from 'vitest';
import { noteBacklog } from '../src/maskline-runs.js';
import type { Backlog } from '../src/report.js';
import { backlogLine } from '../src/soak-report.js';

describe('backlog', () => {
  it('keeps the most messages each stage held while the next was behind', () => {
    const b: Backlog = { peakNotSubmitted: 0, peakAwaitingReceipt: 0 };
    noteBacklog(b, 100, { submitted: 20, final: 5 }); // 80 not submitted, 15 awaiting
    noteBacklog(b, 300, { submitted: 250, final: 200 }); // 50, 50
    noteBacklog(b, 300, { submitted: 300, final: 300 }); // drained
    expect(b).toEqual({ peakNotSubmitted: 80, peakAwaitingReceipt: 50 });
    expect(backlogLine({ peakNotSubmitted: 1234, peakAwaitingReceipt: 5 })).toContain(
      '1,234 accepted but not yet submitted (deliver queue + SMPP window), 5 submitted awaiting their receipt',
    );
  });
});
