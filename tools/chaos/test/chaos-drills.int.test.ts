import { describe, expect, it } from 'vitest';
import { runDrill } from '../src/drill.js';
import { FAULTS } from '../src/options.js';
import { renderTable } from '../src/report.js';

/**
 * The short form of every drill (npm run chaos runs the long one): the whole stack as
 * processes with its own Redis and PostgreSQL (not the suite's: the drills kill them),
 * 300 messages at 100/s, one fault at 40 % of the sends, held to the targets of
 * docs/reliability.md: every final message's final-status webhook received (signature
 * verified) included, duplicates allowed.
 */
const SHORT = { messages: 300, rate: 100, at: 0.4, drainTimeoutMs: 30_000, carrierLatencyMs: 50 };

describe('chaos drills (short form)', () => {
  it.each(FAULTS)(
    '%s: nothing accepted lost or stuck, no receipt or webhook lost, duplicates only in flight, recovered in 10 s',
    async (fault) => {
      const result = await runDrill({ ...SHORT, fault });
      console.log(renderTable([result]));
      expect.soft(result.accepted, 'accepted').toBe(SHORT.messages);
      expect.soft(result.lost, 'lost').toBe(0);
      expect.soft(result.stuck, 'stuck').toBe(0);
      expect.soft(result.receiptsLost, 'receipts lost').toBe(0);
      expect.soft(result.webhooksLost, 'webhooks lost').toBe(0);
      // The outage did refuse attempts, and every one of them was retried until it arrived.
      if (fault === 'webhook-receiver')
        expect.soft(result.webhookRequestsRefused, 'webhook requests refused').toBeGreaterThan(0);
      expect.soft(result.carrierDuplicates, 'carrier duplicates').toBeLessThanOrEqual(result.inFlightAtFault);
      expect.soft(result.recoverySeconds, 'recovery seconds').not.toBeNull();
      expect
        .soft(result.recoverySeconds ?? Number.POSITIVE_INFINITY, 'recovery seconds')
        .toBeLessThanOrEqual(10);
    },
    180_000,
  );
});
