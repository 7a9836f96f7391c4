/**
 * Queue names. One delivery queue per carrier so each carrier's throughput cap and
 * throttling pauses only its own traffic. BullMQ keys live under a prefix; on Redis
 * Cluster give the prefix a hash tag, e.g. `{ml}`.
 */
export const DEFAULT_QUEUE_PREFIX = 'ml';

export function deliverQueueName(carrierId: string): string {
  if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(carrierId)) {
    throw new Error(`invalid carrier id for a queue name: ${carrierId}`);
  }
  return `deliver-${carrierId}`;
}

export const CARRIER_EVENTS_QUEUE = 'carrier-events';

/** The Redis key of a carrier's TPS schedule (TpsReservations), beside its queue's keys. */
export function tpsKey(prefix: string, carrierId: string): string {
  return `${prefix}:${deliverQueueName(carrierId)}:tps`;
}
