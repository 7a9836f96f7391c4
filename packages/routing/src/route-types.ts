/** What a message is for: routes may send each kind its own way. */
export const MESSAGE_KINDS = ['otp', 'transactional', 'marketing', 'masking_relay'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

export const SENDER_TYPES = ['alphanumeric', 'number'] as const;
export type SenderType = (typeof SENDER_TYPES)[number];

export const ROUTE_STRATEGIES = ['priority', 'weight', 'least_cost'] as const;
export type RouteStrategy = (typeof ROUTE_STRATEGIES)[number];

/** One routing rule. A null match field matches anything. */
export interface Route {
  id: string;
  /** null: the route serves every tenant. */
  tenantId: string | null;
  /** E.164 digits without `+`, e.g. "4479". */
  prefix: string | null;
  /** ISO 3166-1 alpha-2, e.g. "GB". */
  country: string | null;
  kind: MessageKind | null;
  senderType: SenderType | null;
  carrierId: string;
  /** Lower goes first. */
  priority: number;
  /** Share under the `weight` strategy (0 = never chosen by weight). */
  weight: number;
  strategy: RouteStrategy;
  enabled: boolean;
}

/** A carrier's price for destinations under a prefix ("" = everywhere), per segment. */
export interface CarrierPrice {
  carrierId: string;
  prefix: string;
  /** Millionths of the currency unit. */
  priceMicros: number;
  /** ISO 4217, e.g. "EUR". */
  currency: string;
}

export type CarrierHealth = 'up' | 'down' | 'unknown';

/** What routing knows of a carrier. Unknown capabilities (null) are taken as present. */
export interface CarrierProfile {
  id: string;
  regions: readonly string[];
  unicode: boolean | null;
  concatenation: boolean | null;
  health: CarrierHealth;
}

/** The facts of one message that routing reads (no number leaves the caller but its digits). */
export interface MessageFacts {
  messageId: string;
  tenantId: string;
  /** E.164 digits without `+`. */
  destination: string;
  country: string | null;
  kind: MessageKind;
  senderType: SenderType;
  unicode: boolean;
  segments: number;
}

export interface RoutingInput {
  routes: readonly Route[];
  carriers: readonly CarrierProfile[];
  prices: readonly CarrierPrice[];
  /** The tenant's allowed regions; null: no residency policy. */
  allowedRegions: readonly string[] | null;
  facts: MessageFacts;
  /** Carriers already tried for this message. */
  exclude?: readonly string[];
}

export interface RoutePrice {
  /** The whole message: price per segment × segments. */
  micros: number;
  currency: string;
}

export type RoutingRefusal = 'no_route' | 'route_residency_violation';

export type RoutingDecision =
  | { ok: true; carrierId: string; routeId: string; price: RoutePrice | null }
  | { ok: false; reason: RoutingRefusal };
