import { MASKING_EXPIRY_QUEUE } from '@maskline/masking';
import { CARRIER_EVENTS_QUEUE, deliverQueueName, type RedisClient } from '@maskline/queues';
import { WEBHOOKS_QUEUE } from '@maskline/webhooks';
import { Queue } from 'bullmq';

/**
 * The names of every queue of a deployment: one delivery queue per configured carrier, the
 * carrier events (receipts, inbound), webhook deliveries and masking session expiry.
 */
export function dashboardQueueNames(carrierIds: readonly string[]): string[] {
  const delivery = [...new Set(carrierIds)].map(deliverQueueName);
  return [...delivery, CARRIER_EVENTS_QUEUE, WEBHOOKS_QUEUE, MASKING_EXPIRY_QUEUE];
}

/** Opens every queue for the dashboard to read (on the shared connection; close them at shutdown). */
export function openDashboardQueues(
  connection: RedisClient,
  prefix: string,
  carrierIds: readonly string[],
): Queue[] {
  return dashboardQueueNames(carrierIds).map((name) => new Queue(name, { connection, prefix }));
}
