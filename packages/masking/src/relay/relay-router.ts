import type { InboxDelivery, MaskingMode, NonParticipantPolicy, NumberState } from '../types.js';

/** What the relay knows about the virtual number an inbound message was sent to. */
export interface RouteNumber {
  id: string;
  tenantId: string;
  e164: string;
  carrierId: string;
  state: NumberState;
}

/** The number's active, unexpired session (null when there is none). */
export interface RouteSession {
  id: string;
  mode: MaskingMode;
  nonParticipantPolicy: NonParticipantPolicy;
  autoReplyText: string | null;
  inboxDelivery: InboxDelivery;
  /** Participants in mapping order (ids only: numbers are opened later, and only the target's). */
  participantIds: readonly string[];
}

export interface RouteInput {
  number: RouteNumber | null;
  session: RouteSession | null;
  /** The participant whose blind index matches the sender, or null for a stranger. */
  senderParticipantId: string | null;
}

/** The policy for messages that reach a quarantined number (or one with no live session). */
export type QuarantinePolicy = { kind: 'drop' } | { kind: 'auto_reply'; text: string };

export type DropReason =
  | 'unknown_number'
  | 'retired'
  | 'quarantined'
  | 'no_session'
  | 'not_mapped'
  | 'non_participant'
  | 'owner_to_inbox';

export type RouteDecision =
  /** Send the body to another participant, from the session's virtual number. */
  | {
      kind: 'relay';
      tenantId: string;
      sessionId: string;
      toParticipantId: string;
      from: string;
      carrierId: string;
    }
  /** Record the message for the tenant's webhook (the body stays sealed in inbound_messages). */
  | {
      kind: 'webhook';
      tenantId: string;
      sessionId: string;
      reason: 'non_participant' | 'inbox' | 'verification_reply';
    }
  /** Answer the sender with a fixed text from the virtual number. */
  | {
      kind: 'auto_reply';
      tenantId: string;
      sessionId: string | null;
      from: string;
      carrierId: string;
      text: string;
      reason: 'non_participant' | 'quarantined';
    }
  | { kind: 'drop'; tenantId: string | null; sessionId: string | null; reason: DropReason };

export const DEFAULT_AUTO_REPLY = 'This number is not available.';

/**
 * The relay's routing decision, pure: inbound from A to virtual X. Sharing rule: X serves
 * at most one active session, so (X) names the session and A's blind index the participant.
 *  - pair: a participant reaches the other participant, from X.
 *  - inbox: anyone but the owner reaches the owner from X (or the webhook).
 *  - verification: the user's replies go to the webhook.
 *  - a stranger follows the session's non-participant policy; a number with no live
 *    session follows the quarantine policy.
 */
export function routeInbound(input: RouteInput, quarantine: QuarantinePolicy): RouteDecision {
  const { number, session, senderParticipantId } = input;
  if (!number) return { kind: 'drop', tenantId: null, sessionId: null, reason: 'unknown_number' };
  const tenantId = number.tenantId;
  if (!session) {
    if (number.state === 'retired') return { kind: 'drop', tenantId, sessionId: null, reason: 'retired' };
    if (quarantine.kind === 'auto_reply') {
      return {
        kind: 'auto_reply',
        tenantId,
        sessionId: null,
        from: number.e164,
        carrierId: number.carrierId,
        text: quarantine.text,
        reason: 'quarantined',
      };
    }
    const reason = number.state === 'quarantined' ? 'quarantined' : 'no_session';
    return { kind: 'drop', tenantId, sessionId: null, reason };
  }
  const sessionId = session.id;
  const relayTo = (toParticipantId: string): RouteDecision => ({
    kind: 'relay',
    tenantId,
    sessionId,
    toParticipantId,
    from: number.e164,
    carrierId: number.carrierId,
  });
  const stranger = (): RouteDecision => {
    switch (session.nonParticipantPolicy) {
      case 'webhook':
        return { kind: 'webhook', tenantId, sessionId, reason: 'non_participant' };
      case 'auto_reply':
        return {
          kind: 'auto_reply',
          tenantId,
          sessionId,
          from: number.e164,
          carrierId: number.carrierId,
          text: session.autoReplyText ?? DEFAULT_AUTO_REPLY,
          reason: 'non_participant',
        };
      default:
        return { kind: 'drop', tenantId, sessionId, reason: 'non_participant' };
    }
  };
  const isParticipant = senderParticipantId !== null && session.participantIds.includes(senderParticipantId);
  switch (session.mode) {
    case 'pair': {
      if (!isParticipant) return stranger();
      const other = session.participantIds.find((id) => id !== senderParticipantId);
      return other ? relayTo(other) : { kind: 'drop', tenantId, sessionId, reason: 'not_mapped' };
    }
    case 'inbox': {
      const owner = session.participantIds[0];
      if (session.inboxDelivery === 'webhook') {
        return isParticipant
          ? { kind: 'drop', tenantId, sessionId, reason: 'owner_to_inbox' }
          : { kind: 'webhook', tenantId, sessionId, reason: 'inbox' };
      }
      if (!owner) return { kind: 'drop', tenantId, sessionId, reason: 'not_mapped' };
      if (isParticipant) return { kind: 'drop', tenantId, sessionId, reason: 'owner_to_inbox' };
      return relayTo(owner);
    }
    case 'verification':
      return isParticipant
        ? { kind: 'webhook', tenantId, sessionId, reason: 'verification_reply' }
        : stranger();
  }
}
