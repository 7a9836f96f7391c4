import type { ReceivedEvent } from '@maskline/loadgen/webhook-receiver';

/** What the drill's analysis reads of the webhooks received. */
export interface WebhookArrivals {
  /**
   * messageId → status → when its `message.status` event first arrived (epoch ms; signature
   * verified, answered 200).
   */
  readonly statusesArrived: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** Event id → how many times it arrived (at least once delivery: more than 1 is a duplicate). */
  readonly timesReceived: ReadonlyMap<string, number>;
}

/** Tallies the verified `message.status` events the drill's receiver answered 200 for. */
export class WebhookTally implements WebhookArrivals {
  readonly statusesArrived = new Map<string, Map<string, number>>();
  readonly timesReceived = new Map<string, number>();

  record(event: ReceivedEvent, arrived = Date.now()): void {
    this.timesReceived.set(event.id, (this.timesReceived.get(event.id) ?? 0) + 1);
    if (event.type !== 'message.status' || !event.messageId || !event.status) return;
    const statuses = this.statusesArrived.get(event.messageId) ?? new Map<string, number>();
    if (!statuses.has(event.status)) statuses.set(event.status, arrived);
    this.statusesArrived.set(event.messageId, statuses);
  }

  /** True when the event for this message and status has arrived. */
  arrived(messageId: string, status: string): boolean {
    return this.statusesArrived.get(messageId)?.has(status) === true;
  }
}
