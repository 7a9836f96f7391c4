/** Masking modes (see docs/guides/number-masking.md). */
export const MASKING_MODES = ['pair', 'inbox', 'verification'] as const;
export type MaskingMode = (typeof MASKING_MODES)[number];

/** What happens to a message from a sender who is not a participant of the session. */
export const NON_PARTICIPANT_POLICIES = ['drop', 'webhook', 'auto_reply'] as const;
export type NonParticipantPolicy = (typeof NON_PARTICIPANT_POLICIES)[number];

/** Where messages to an inbox session go: to its one participant, or to the tenant's webhook. */
export const INBOX_DELIVERIES = ['participant', 'webhook'] as const;
export type InboxDelivery = (typeof INBOX_DELIVERIES)[number];

export const CAPABILITIES = ['sms-mt', 'sms-mo'] as const;
export type Capability = (typeof CAPABILITIES)[number];

export type SessionState = 'active' | 'released' | 'expired';
export type NumberState = 'available' | 'reserved' | 'quarantined' | 'retired';

/** How many real participants each mode binds. */
export const PARTICIPANTS_PER_MODE: Readonly<Record<MaskingMode, number>> = {
  pair: 2,
  inbox: 1,
  verification: 1,
};

export interface NumberConstraints {
  /** ISO 3166-1 alpha-2, e.g. "GB"; null for any. */
  country: string | null;
  /** Carrier id; null for any. */
  carrierId: string | null;
  capabilities: readonly Capability[];
}

export interface ReserveRequest {
  mode: MaskingMode;
  ttlSeconds: number;
  constraints: NumberConstraints;
  nonParticipantPolicy: NonParticipantPolicy;
  autoReplyText: string | null;
  inboxDelivery: InboxDelivery;
  /** Real numbers to map at once (E.164, validated); may be empty and mapped later. */
  participants: readonly string[];
}

/** A participant as the API shows it: masked, never in full. */
export interface ParticipantView {
  id: string;
  number: string;
}

export interface SessionView {
  id: string;
  mode: MaskingMode;
  state: SessionState;
  virtualNumber: string;
  country: string | null;
  carrier: string | null;
  capabilities: Capability[];
  nonParticipantPolicy: NonParticipantPolicy;
  inboxDelivery: InboxDelivery;
  participants: ParticipantView[];
  expiresAt: string;
  createdAt: string;
  closedAt: string | null;
}

export interface VirtualNumberView {
  id: string;
  number: string;
  country: string;
  carrier: string;
  capabilities: Capability[];
  region: string | null;
  state: NumberState;
  quarantinedUntil: string | null;
}

export interface MaskingEventView {
  id: string;
  type: string;
  sessionId: string | null;
  payload: Record<string, unknown>;
  createdAt: string;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}
