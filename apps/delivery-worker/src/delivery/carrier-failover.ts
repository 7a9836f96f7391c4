import { type Logger, MasklineError } from '@maskline/core';
import type { DeliveryQueues } from '@maskline/queues';
import type { MessageKind, MessageRouter, RouteTable } from '@maskline/routing';
import type { DeliveryRecord, MessageFailover } from '@maskline/storage';

/** Moves a message that its carrier cannot take to the next eligible carrier. */
export interface Failover {
  /** False while no routes are configured: nothing can move, so nothing is tried. */
  enabled(): boolean;
  /** True when the message now sits on another carrier's queue; false: it stays here. */
  reroute(record: DeliveryRecord, reason: string): Promise<boolean>;
  /** Keeps the message on its carrier for good (after an ambiguous failure). */
  pin(messageId: string): Promise<void>;
}

/**
 * Failover at delivery time (docs/routing.md#failover): re-route the message with every
 * carrier it was already tried on excluded, record the new carrier and route on the row
 * (one conditional UPDATE), then add the message's own job on the new carrier's queue.
 * Nothing moves with no routes configured (the default carrier is the only one), with no
 * other eligible carrier, for a message whose content cannot be opened, or for a sandbox
 * message (it never leaves the sandbox carrier for a live one: docs/guides/sandbox.md).
 */
export class CarrierFailover implements Failover {
  constructor(
    private readonly routes: RouteTable,
    private readonly router: Pick<MessageRouter, 'route'>,
    private readonly failover: MessageFailover,
    private readonly queues: Pick<DeliveryQueues, 'enqueue'>,
    private readonly logger: Logger,
  ) {}

  enabled(): boolean {
    return this.routes.current().routes.length > 0;
  }

  pin(messageId: string): Promise<void> {
    return this.failover.pin(messageId);
  }

  async reroute(record: DeliveryRecord, reason: string): Promise<boolean> {
    const { message, content } = record;
    if (!content || message.sandbox || !this.enabled()) return false;
    const tried = await this.failover.triedCarriers(message.id);
    let next: ReturnType<MessageRouter['route']>;
    try {
      next = this.router.route(
        {
          id: message.id,
          tenantId: message.tenantId,
          ...content,
          kind: (message.kind ?? 'transactional') as MessageKind,
        },
        tried,
        { orDown: false },
      );
    } catch (error) {
      if (error instanceof MasklineError) return false;
      throw error;
    }
    if (!(await this.failover.moveToCarrier(message.id, message.carrierId, next.carrierId, next.route))) {
      return false;
    }
    this.logger.info(
      { messageId: message.id, from: message.carrierId, carrier: next.carrierId, reason },
      'message failed over to another carrier',
    );
    // The row is durable on the new carrier: if this add is lost, the reconciler adds it.
    await this.queues
      .enqueue([{ carrierId: next.carrierId, job: { messageId: message.id, tenantId: message.tenantId } }])
      .catch((error: unknown) =>
        this.logger.warn(
          { messageId: message.id, err: error },
          'failover enqueue failed; left for the reconciler',
        ),
      );
    return true;
  }
}
