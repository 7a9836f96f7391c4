/**
 * The event types Maskline sends, and how an endpoint's subscriptions match them. The SQL
 * function webhook_subscribed() (migration 0015) is the same rule for the database side.
 */
export const WEBHOOK_EVENT_TYPES = [
  'message.status',
  'message.inbound',
  'session.rotated',
  'inbound.received',
  'inbound.dropped',
  'inbound.auto_replied',
  'pool.low_watermark',
  'webhook.endpoint_disabled',
  'verification.approved',
  'verification.failed',
  'verification.expired',
  'verification.locked',
  'security.alert',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

const FAMILIES = new Set(WEBHOOK_EVENT_TYPES.map((t) => t.split('.')[0]));
const TYPES = new Set<string>(WEBHOOK_EVENT_TYPES);

/** True for an exact type, a family wildcard (`session.*`) or `*`. */
export function isValidSubscription(value: string): boolean {
  if (value === '*' || TYPES.has(value)) return true;
  return value.endsWith('.*') && FAMILIES.has(value.slice(0, -2));
}

export function isSubscribed(subscriptions: readonly string[], type: string): boolean {
  const family = `${type.split('.')[0]}.*`;
  return subscriptions.some((s) => s === '*' || s === type || s === family);
}
