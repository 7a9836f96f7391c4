import type { CarrierCallbackRequest, ReceiptOutcome } from '@maskline/plugin-sdk';

/** How the peer fails the next submit: a passing fault, a verdict on the message, or "slow down". */
export type SubmitFailureKind = 'temporary' | 'permanent' | 'throttle';

/** An SMS from a handset to the gateway, as the peer sends it. */
export interface InboundMessage {
  /** The handset (E.164). */
  from: string;
  /** The gateway's number (E.164). */
  to: string;
  body: string;
  /** Send it as this many parts (a concatenated SMS); absent = one message. */
  parts?: number;
}

/** What the carrier would call back about: the testkit asks the control for the HTTP request. */
export type CallbackSubject =
  | { type: 'receipt'; carrierMessageId: string; outcome: ReceiptOutcome }
  | ({ type: 'inbound' } & InboundMessage);

/**
 * The small adapter a plugin's test supplies to drive the carrier's side (an SMSC
 * simulator, an HTTP fake). Receipts and inbound SMS reach the plugin either over its own
 * connection (sendReceipt / sendInbound) or as HTTP callbacks (deliverCallback): supply
 * what the plugin's carrier does; the testkit fails a check that needs one it lacks.
 */
export interface ConformanceControl {
  /** Make the peer fail the next submit (the whole message, every part). */
  failNextSubmit(kind: SubmitFailureKind): void | Promise<void>;
  /** While on, the peer accepts submits and never answers them. */
  stallSubmits(on: boolean): void | Promise<void>;
  /**
   * The peer pushes a delivery receipt for a message it accepted, over the plugin's
   * connection, and sends it again later if the plugin refuses it (a temporary error).
   */
  sendReceipt?(carrierMessageId: string, outcome: ReceiptOutcome): Promise<void>;
  /** The peer pushes an inbound SMS (redelivered, like receipts, when refused). */
  sendInbound?(message: InboundMessage): Promise<void>;
  /**
   * Arm the peer so the next accepted submit's receipt reaches the plugin before the
   * submit's answer does. Without it, the out-of-order check sends a receipt for an id
   * no submit has returned yet.
   */
  receiptBeforeAnswer?(): void | Promise<void>;
  /**
   * For carriers that call back over HTTP: the request(s) the carrier would make. The
   * testkit plays the host: it finds the definition's callbacks() route by method and
   * path, verifies, parses and publishes.
   */
  deliverCallback?(
    subject: CallbackSubject,
  ):
    | CarrierCallbackRequest
    | CarrierCallbackRequest[]
    | Promise<CarrierCallbackRequest | CarrierCallbackRequest[]>;
}

/** One fresh peer for one check. */
export interface ConformanceTarget {
  /** The carrier's configuration as a carriers file gives it: the testkit parses it with configSchema. */
  config: unknown;
  /** The values of the secrets the definition declares. */
  secrets?: Record<string, string>;
  /** The host's public callback base URL for this carrier, when the plugin registers callbacks. */
  callbackUrl?: string;
  control: ConformanceControl;
  /** Stop the peer; called after each check, once the plugin is closed. */
  close?(): Promise<void>;
}
