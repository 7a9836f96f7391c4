/**
 * What a drill cost, computed from what the client saw, what PostgreSQL holds and what the
 * carrier's journal recorded. Pure: every figure is defined here and in docs/reliability.md.
 */

import type { SendRecord } from './idempotent-sender.js';
import type { FaultName } from './options.js';
import type { WebhookArrivals } from './webhook-tally.js';

export const FINAL_STATUSES = ['delivered', 'undeliverable', 'expired', 'rejected', 'failed'];

/** A message is late when it became final more than this after its first send attempt. */
export const LATE_AFTER_MS = 2_000;

/**
 * The targets every drill is held to: nothing accepted lost or stuck, no receipt lost,
 * carrier duplicates only for submits in flight at the fault, recovery within 10 s, and
 * every final message's final-status webhook received.
 */
export const TARGETS = { lost: 0, stuck: 0, receiptsLost: 0, recoverySeconds: 10, webhooksLost: 0 } as const;

export interface MessageRow {
  /** The message id (what webhooks name). */
  id: string;
  key: string;
  status: string;
  /** Epoch ms, or null. */
  submittedAt: number | null;
  doneAt: number | null;
}

export interface JournalEvent {
  e: 'submit' | 'receipt-ack';
  /** The carrier's message id. */
  id: string;
  /** SHA-256 of the body (submit events). */
  body?: string;
  t: number;
}

export interface DrillObservations {
  fault: FaultName;
  messages: number;
  rate: number;
  /** Epoch ms: the fault was injected (the kill, the FLUSHALL). */
  faultAt: number;
  /**
   * Epoch ms the fault took effect (the killed process seen dead; FLUSHALL answered). A
   * submit the dying process wrote just before its end reaches the carrier after faultAt:
   * in-flight submits are counted up to this instant. Defaults to faultAt.
   */
  faultEffectiveAt?: number;
  /** Epoch ms: the killed part was back (restarted and ready). */
  restoredAt: number;
  sends: SendRecord[];
  clientErrors: Record<string, number>;
  rows: MessageRow[];
  /** receipts rows per carrier message id. */
  receiptRows: Map<string, number>;
  journal: JournalEvent[];
  /** The signed webhooks the drill's receiver took (its tenant's `message.status` endpoint). */
  webhooks: WebhookArrivals;
  /** Webhook requests the receiver refused (500 or dropped) during its outage. */
  webhookRequestsRefused?: number;
}

export interface DrillResult {
  fault: FaultName;
  messages: number;
  rate: number;
  /** Answered 202 (or 200 for a retry the server already had). */
  accepted: number;
  /** The client gave up on these (never accepted). */
  notAccepted: number;
  /** Accepted on a retry answered 200: the client saw an error for a message already stored. */
  acceptedOnRetry: number;
  /** Accepted but no row in PostgreSQL. */
  lost: number;
  /** In PostgreSQL but not final when the drain ended. */
  stuck: number;
  /** Messages the carrier accepted more than once. */
  carrierDuplicates: number;
  /** Messages the carrier had received but Maskline had not yet recorded as submitted at the fault. */
  inFlightAtFault: number;
  /** Receipts the carrier saw acknowledged but with no receipts row. */
  receiptsLost: number;
  /** Carrier message ids with more than one receipts row. */
  receiptsDuplicated: number;
  /** Final messages whose final-status `message.status` event never arrived (verified signature). */
  webhooksLost: number;
  /** Webhook events (ids) received more than once: at least once delivery, allowed. */
  webhookDuplicates: number;
  /**
   * `submitted` and final-status events whose change committed before the fault took effect
   * but which arrived after it: the webhooks the fault caught on their way (what it could lose).
   */
  webhooksPendingAtFault: number;
  /** Distinct webhook events received. */
  webhookEvents: number;
  /** Webhook requests the receiver refused (500 or dropped): the webhook-receiver fault's attempts that failed. */
  webhookRequestsRefused: number;
  clientErrors: Record<string, number>;
  /** Seconds from the fault until the killed part was back (restarted and ready). */
  restartSeconds: number;
  /** Seconds from the fault to the first final message first sent after it; null if none. */
  firstDeliverySeconds: number | null;
  /** Seconds from the fault until the last late message became final; null if not recovered. */
  recoverySeconds: number | null;
  /** Which targets were missed (empty = the drill passed). */
  missed: string[];
}

const seconds = (ms: number) => Math.round(ms) / 1000;

export function analyzeDrill(o: DrillObservations): DrillResult {
  const rowByKey = new Map(o.rows.map((r) => [r.key, r]));
  const accepted = o.sends.filter((s) => s.acceptedAt !== null);
  const lost = accepted.filter((s) => !rowByKey.has(s.key)).length;
  const isFinal = (row: MessageRow | undefined) => row !== undefined && FINAL_STATUSES.includes(row.status);
  const stuck = o.rows.filter((r) => !isFinal(r)).length;

  // The carrier's view: submits per message (by body digest).
  const submitsByDigest = new Map<string, JournalEvent[]>();
  for (const event of o.journal) {
    if (event.e !== 'submit' || !event.body) continue;
    const list = submitsByDigest.get(event.body) ?? [];
    list.push(event);
    submitsByDigest.set(event.body, list);
  }
  const rowByDigest = new Map(o.sends.map((s) => [s.bodyDigest, rowByKey.get(s.key)]));
  let carrierDuplicates = 0;
  let inFlightAtFault = 0;
  const effective = Math.max(o.faultAt, o.faultEffectiveAt ?? o.faultAt);
  for (const [digest, submits] of submitsByDigest) {
    if (submits.length > 1) carrierDuplicates += 1;
    const row = rowByDigest.get(digest);
    const reachedCarrier = submits.some((s) => s.t <= effective);
    const recordedBeforeFault = row?.submittedAt != null && row.submittedAt <= effective;
    if (reachedCarrier && !recordedBeforeFault) inFlightAtFault += 1;
  }

  const acked = new Set(o.journal.filter((e) => e.e === 'receipt-ack').map((e) => e.id.toLowerCase()));
  const receiptRows = new Map([...o.receiptRows].map(([id, n]) => [id.toLowerCase(), n]));
  const receiptsLost = [...acked].filter((id) => !receiptRows.has(id)).length;
  const receiptsDuplicated = [...receiptRows.values()].filter((n) => n > 1).length;

  const finalRows = o.rows.filter(isFinal);
  const webhooksLost = finalRows.filter(
    (r) => o.webhooks.statusesArrived.get(r.id)?.has(r.status) !== true,
  ).length;
  const webhookDuplicates = [...o.webhooks.timesReceived.values()].filter((n) => n > 1).length;
  // Status changes committed before the fault took effect (submitted_at, done_at) whose event came after it.
  const caught = (messageId: string, status: string, committedAt: number | null) => {
    const arrived = o.webhooks.statusesArrived.get(messageId)?.get(status);
    return committedAt !== null && committedAt <= effective && arrived !== undefined && arrived > effective;
  };
  let webhooksPendingAtFault = 0;
  for (const r of o.rows) {
    if (caught(r.id, 'submitted', r.submittedAt)) webhooksPendingAtFault += 1;
    if (isFinal(r) && caught(r.id, r.status, r.doneAt)) webhooksPendingAtFault += 1;
  }

  let firstDelivery: number | null = null;
  let lastLate = o.faultAt;
  for (const send of accepted) {
    const row = rowByKey.get(send.key);
    if (!row || row.doneAt === null) continue;
    if (send.firstSentAt > o.faultAt && (firstDelivery === null || row.doneAt < firstDelivery))
      firstDelivery = row.doneAt;
    if (row.doneAt > o.faultAt && row.doneAt - send.firstSentAt > LATE_AFTER_MS)
      lastLate = Math.max(lastLate, row.doneAt);
  }
  const recovered = lost === 0 && stuck === 0 && accepted.length === o.sends.length;
  const recoverySeconds = recovered ? seconds(lastLate - o.faultAt) : null;

  const missed: string[] = [];
  if (lost > TARGETS.lost) missed.push('lost');
  if (stuck > TARGETS.stuck) missed.push('stuck');
  if (carrierDuplicates > inFlightAtFault) missed.push('duplicates');
  if (receiptsLost > TARGETS.receiptsLost) missed.push('receipts');
  if (recoverySeconds === null || recoverySeconds > TARGETS.recoverySeconds) missed.push('recovery');
  if (webhooksLost > TARGETS.webhooksLost) missed.push('webhooks');
  return {
    fault: o.fault,
    messages: o.messages,
    rate: o.rate,
    accepted: accepted.length,
    notAccepted: o.sends.length - accepted.length,
    acceptedOnRetry: accepted.filter((s) => s.acceptedStatus === 200).length,
    lost,
    stuck,
    carrierDuplicates,
    inFlightAtFault,
    receiptsLost,
    receiptsDuplicated,
    webhooksLost,
    webhookDuplicates,
    webhooksPendingAtFault,
    webhookEvents: o.webhooks.timesReceived.size,
    webhookRequestsRefused: o.webhookRequestsRefused ?? 0,
    clientErrors: o.clientErrors,
    restartSeconds: seconds(o.restoredAt - o.faultAt),
    firstDeliverySeconds: firstDelivery === null ? null : seconds(firstDelivery - o.faultAt),
    recoverySeconds,
    missed,
  };
}
