import type { FaultSettings } from './faults.js';
import type { ReceiptRule } from './receipt-rules.js';
import type { RecordedMessage } from './recorded-messages.js';
import type { SimulatorStats } from './stats.js';

/** A mobile-originated message to inject. */
export interface MoMessage {
  /** The handset: `+E164` (sent as TON 1/NPI 1), digits, or an alphanumeric name. */
  from: string;
  /** The gateway's number the handset wrote to. */
  to: string;
  text: string;
  /** Deliver only to a receiving bind of this system_id (default: any). */
  systemId?: string;
}

export interface SmscSimulator {
  readonly host: string;
  readonly smppPort: number;
  /** null when started without a control API. */
  readonly controlPort: number | null;
  /**
   * Send an MO deliver_sm (esm_class 0) to a receiving bind. Resolves with the
   * command_status of its deliver_sm_resp; rejects with an SmscSimError when no receiving
   * session is bound ('no_receiver'), it closes first, or no answer comes in time.
   */
  injectMo(mo: MoMessage): Promise<number>;
  /** Replace the receipt rules (validated: throws on a bad rule). */
  setRules(rules: readonly ReceiptRule[]): void;
  /** Replace the failure modes (validated: throws on bad settings); `{}` clears them. */
  setFaults(faults: FaultSettings): void;
  stats(): SimulatorStats;
  /** Recorded submits, oldest first: the newest `limit` (default: all kept). */
  messages(limit?: number): RecordedMessage[];
  /** Clear counters, rules, faults, recorded messages and pending receipts. */
  reset(): void;
  /** Unbind and close every session, stop both servers. Idempotent. */
  close(): Promise<void>;
}
