import type { FaultSettings } from './faults.js';
import type { ReceiptRule, ReceiptStat } from './receipt-rules.js';
import type { AssembledMessage, RecordedMessage } from './recorded-messages.js';
import type { SimulatorStats } from './stats.js';
import type { MultipartScheme } from './text-codec.js';

/** A mobile-originated message to inject. */
export interface MoMessage {
  /** The handset: `+E164` (sent as TON 1/NPI 1), digits, or an alphanumeric name. */
  from: string;
  /** The gateway's number the handset wrote to. */
  to: string;
  text: string;
  /** Deliver only to a receiving bind of this system_id (default: any). */
  systemId?: string;
  /**
   * Send as a multipart MO (one deliver_sm per part): concatenation UDH with an 8- or 16-bit
   * reference, or SAR TLVs. The text is cut every `partOctets` octets (default 153 GSM / 134
   * UCS-2), even inside a GSM escape or a surrogate pair.
   */
  split?: MultipartScheme;
  partOctets?: number;
  /** Concatenation reference (default: a counter). */
  ref?: number;
  /** Part numbers (1-based) not to send, to leave the message incomplete. */
  skipParts?: number[];
}

/** A receipt to send for a recorded submit. */
export interface InjectedReceipt {
  messageId: string;
  stat: ReceiptStat;
  /** Three digits; default 000 for DELIVRD, else 001. */
  err?: string;
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
  /**
   * Write raw bytes to a bound session (of `systemId` when given): malformed or hostile
   * output for robustness tests. False when no session is bound.
   */
  injectRaw(bytes: Buffer, systemId?: string): boolean;
  /**
   * Send a delivery receipt now for a submit the simulator accepted (a late, repeated or
   * contradicting receipt), routed like the automatic ones. Throws an SmscSimError
   * 'unknown_message' when no recorded submit has this message_id.
   */
  injectReceipt(receipt: InjectedReceipt): void;
  /** Replace the receipt rules (validated: throws on a bad rule). */
  setRules(rules: readonly ReceiptRule[]): void;
  /** Replace the failure modes (validated: throws on bad settings); `{}` clears them. */
  setFaults(faults: FaultSettings): void;
  stats(): SimulatorStats;
  /** Recorded submits, oldest first: the newest `limit` (default: all kept). */
  messages(limit?: number): RecordedMessage[];
  /**
   * The same, with the parts of concatenated messages (UDH 8/16-bit or SAR) joined into one
   * entry each, in order of their first part; `complete` is false while parts are missing.
   */
  messages(limit: number | undefined, options: { assemble: true }): AssembledMessage[];
  /** Clear counters, rules, faults, recorded messages and pending receipts. */
  reset(): void;
  /** Unbind and close every session, stop both servers. Idempotent. */
  close(): Promise<void>;
}
