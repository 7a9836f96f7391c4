import type { CarrierAnswer } from '../carriers/carrier-answer.js';
import type { MessageStatus } from './message-status.js';

/** A message as the domain sees it. Clear values only exist where a carrier needs them. */
export interface Message {
  id: string;
  tenantId: string;
  carrierId: string;
  status: MessageStatus;
  /** Carrier's id for the message, set when the carrier accepted the submit. */
  carrierMessageId: string | null;
  /** Stable error code when the message ended in rejected/failed/undeliverable. */
  errorCode: string | null;
  /** What the carrier itself answered to the last failed submit, if it said anything. */
  carrierStatus: CarrierAnswer | null;
  segments: number;
  createdAt: Date;
  updatedAt: Date;
  submittedAt: Date | null;
  doneAt: Date | null;
  /** What the message is for (otp, transactional, marketing, masking_relay); null before routing existed. */
  kind?: string | null;
  /** The routing decision (docs/routing.md); null when the default carrier served without a route. */
  route?: MessageRoute | null;
  /** The client's own reference given at send time (printable ASCII, never a number or body). */
  clientReference?: string | null;
  /** Sent with an ml_test_ key: on the sandbox carrier, listed apart, purged sooner. */
  sandbox?: boolean;
}

/** The route that chose the message's carrier, and its price for all segments. */
export interface MessageRoute {
  id: string;
  price: { micros: number; currency: string } | null;
}

/** The clear content of a message, loaded just in time for the carrier call. */
export interface MessageContent {
  to: string;
  from: string;
  body: string;
}

/** Masked view of a message for API responses: numbers masked, body never echoed. */
export interface MessageView {
  id: string;
  status: MessageStatus;
  to: string;
  from: string;
  carrier: string;
  carrierMessageId: string | null;
  errorCode: string | null;
  /** The carrier's own answer to the last failed submit, e.g. {code:"0x00000045", name:"ESME_RSUBMITFAIL"}. */
  carrierStatus: CarrierAnswer | null;
  segments: number;
  createdAt: string;
  updatedAt: string;
  submittedAt: string | null;
  doneAt: string | null;
  kind: string;
  /** The route that chose the carrier (null: the default carrier, no route configured). */
  route: { id: string; carrier: string; price: { micros: number; currency: string } | null } | null;
  /** The client's own reference given at send time; null when none was given. */
  clientReference: string | null;
  /** True for a message sent with an ml_test_ key (docs/guides/sandbox.md). */
  sandbox: boolean;
}
