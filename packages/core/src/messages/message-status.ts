/**
 * The message status state machine.
 *
 *   accepted -> queued -> submitted -> delivered | undeliverable | expired | rejected | failed
 *
 * Transitions are monotonic: a status may only move to a status of a higher stage, and a
 * terminal status never changes. A late or duplicate event therefore never moves a message
 * backwards. Storage enforces this with `status = ANY(predecessorsOf(next))` in one UPDATE.
 */
export const MESSAGE_STATUSES = [
  'accepted',
  'queued',
  'submitted',
  'delivered',
  'undeliverable',
  'expired',
  'rejected',
  'failed',
] as const;

export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export type TerminalStatus = Extract<
  MessageStatus,
  'delivered' | 'undeliverable' | 'expired' | 'rejected' | 'failed'
>;

const STAGE: Record<MessageStatus, number> = {
  accepted: 0,
  queued: 1,
  submitted: 2,
  delivered: 3,
  undeliverable: 3,
  expired: 3,
  rejected: 3,
  failed: 3,
};

const TERMINAL_STAGE = 3;

export function isMessageStatus(value: unknown): value is MessageStatus {
  return typeof value === 'string' && (MESSAGE_STATUSES as readonly string[]).includes(value);
}

export function isTerminal(status: MessageStatus): status is TerminalStatus {
  return STAGE[status] === TERMINAL_STAGE;
}

/** True when a message in `from` may move to `to`. */
export function canTransition(from: MessageStatus, to: MessageStatus): boolean {
  if (isTerminal(from)) return false;
  return STAGE[to] > STAGE[from];
}

/** Every status a message may be in for a transition to `to` to apply. */
export function predecessorsOf(to: MessageStatus): MessageStatus[] {
  return MESSAGE_STATUSES.filter((from) => canTransition(from, to));
}
