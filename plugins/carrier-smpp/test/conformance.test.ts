import type { ReceiptOutcome } from '@maskline/core';
import { type ConformanceControl, runCarrierConformance } from '@maskline/plugin-testkit';
import { type SmscSimulator, startSmscSimulator } from '@maskline/smsc-sim';
import { smppCarrierPlugin } from '../src/index.js';

/** The sim's receipt stat for each outcome the testkit sends. */
const STAT = {
  delivered: 'DELIVRD',
  undeliverable: 'UNDELIV',
  expired: 'EXPIRED',
  rejected: 'REJECTD',
} as const;

/** The testkit's control over tools/smsc-sim, in process. */
function simControl(sim: SmscSimulator): ConformanceControl {
  return {
    failNextSubmit: (kind) =>
      sim.setFaults(
        kind === 'throttle'
          ? { throttle: 1 } // throttleRetries is 0 below: the first throttling answer fails the submit
          : { rejectSubmits: { status: kind === 'temporary' ? 0x08 : 0x0b, count: 1 } }, // ESME_RSYSERR / ESME_RINVDSTADR
      ),
    stallSubmits: (on) => sim.setFaults(on ? { dropResponses: 1_000_000 } : {}),
    receiptBeforeAnswer: () => sim.setFaults({ receiptFirst: 1 }),
    sendReceipt: async (carrierMessageId, outcome: ReceiptOutcome) => {
      const stat = STAT[outcome as keyof typeof STAT];
      if (!stat) throw new Error(`smsc-sim sends no ${outcome} receipt`);
      sim.injectReceipt({ messageId: carrierMessageId, stat });
    },
    sendInbound: async ({ from, to, body, parts }) => {
      const split = parts ? { split: 'udh8' as const, partOctets: Math.ceil(body.length / parts) } : {};
      await sim.injectMo({ from, to, text: body, ...split });
    },
  };
}

runCarrierConformance({
  definition: smppCarrierPlugin,
  async makeTarget() {
    const sim = await startSmscSimulator({ controlPort: null, receiptRetryMs: 20 });
    return {
      config: {
        host: sim.host,
        port: sim.smppPort,
        systemId: 'maskline',
        requestTimeoutMs: 5_000, // longer than any check: a stalled submit ends by abort or close
        enquireLinkIntervalMs: 60_000,
        reconnectMinMs: 10,
        reconnectMaxMs: 50,
        connectTimeoutMs: 500,
        closeTimeoutMs: 200,
        throttleRetries: 0,
      },
      secrets: { password: 'secret' },
      control: simControl(sim),
      close: () => sim.close(),
    };
  },
});
