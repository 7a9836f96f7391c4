/**
 * Span attribute names, decided once. Values are ids, codes and counts: never a phone
 * number, message body or OTP code.
 */
export const ATTR = {
  messageId: 'maskline.message.id',
  /** The recipient as a vault token (pn_…): same number, same token, per tenant; never the number. */
  recipientToken: 'maskline.recipient.token',
  tenantId: 'maskline.tenant.id',
  carrier: 'maskline.carrier',
  carrierMessageId: 'maskline.carrier_message.id',
  /** The route that chose the carrier (docs/routing.md), and its price for all segments. */
  routeId: 'maskline.route.id',
  priceMicros: 'maskline.route.price_micros',
  priceCurrency: 'maskline.route.price_currency',
  status: 'maskline.message.status',
  errorCode: 'maskline.error.code',
  segments: 'maskline.message.segments',
  receiptOutcome: 'maskline.receipt.outcome',
  inboundId: 'maskline.inbound.id',
  jobAttempt: 'maskline.job.attempt',
  batchSize: 'maskline.batch.size',
  webhookEventType: 'maskline.webhook.event.type',
  webhookEventId: 'maskline.webhook.event.id',
  webhookEndpointId: 'maskline.webhook.endpoint.id',
  webhookAttempt: 'maskline.webhook.attempt',
  /** OpenTelemetry HTTP client conventions, for the webhook POST. */
  httpMethod: 'http.request.method',
  /** Scheme, host, port and path only: never the query, fragment or userinfo. */
  url: 'url.full',
  serverAddress: 'server.address',
  httpStatus: 'http.response.status_code',
  errorType: 'error.type',
  /** OpenTelemetry messaging conventions, on the spans that process a queue's job. */
  messagingSystem: 'messaging.system',
  messagingDestination: 'messaging.destination.name',
  messagingOperationType: 'messaging.operation.type',
  /** Items a background cycle handled (its `maskline.<loop>.cycle` span). */
  cycleItems: 'maskline.cycle.items',
} as const;

/**
 * The messaging attributes of a span that processes a job of `queue` (BullMQ):
 * messaging.system=bullmq, messaging.destination.name=<queue>, messaging.operation.type=process.
 */
export function processAttributes(queue: string): Record<string, string> {
  return {
    [ATTR.messagingSystem]: 'bullmq',
    [ATTR.messagingDestination]: queue,
    [ATTR.messagingOperationType]: 'process',
  };
}

export const SPAN = {
  ingestAccept: 'maskline.ingest.accept',
  deliver: 'maskline.deliver',
  receipt: 'maskline.receipt',
  inbound: 'maskline.inbound',
  reconcile: 'maskline.reconcile',
  /** One webhook POST attempt (kind CLIENT), a child of the message's trace when it has one. */
  webhookPost: 'maskline.webhook.post',
  /** A background loop's cycle that handled items: `maskline.<loop>.cycle` (see runBackgroundCycle). */
  cycle: (loop: string) => `maskline.${loop}.cycle`,
} as const;
