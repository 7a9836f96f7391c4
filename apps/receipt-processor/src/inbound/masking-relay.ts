import { type Logger, segmentInfo, uuidv7 } from '@maskline/core';
import type { RelayService } from '@maskline/masking';
import type { DeliveryQueues } from '@maskline/queues';
import type { InboundMessage, MessageRepository } from '@maskline/storage';
import { activeTraceparent } from '@maskline/telemetry';

/** What the log may say about a routed inbound message: ids and reasons, never numbers. */
export interface RelayOutcome {
  decision: string;
  reason?: string;
  tenantId?: string;
  sessionId?: string;
  messageId?: string;
}

/**
 * Carries out the relay's decision for one inbound message: a relayed or auto-reply
 * message is inserted like ingest inserts one (sealed by the MessageRepository) and
 * enqueued with ids only; its row carries the inbound span's traceparent, so the outbound
 * message continues the inbound one's trace. Its Idempotency-Key derives from the inbound
 * id, so a retried job finds the message it already created instead of sending twice.
 */
export class MaskingRelay {
  constructor(
    private readonly relay: RelayService,
    private readonly messages: MessageRepository,
    private readonly queues: DeliveryQueues,
    private readonly logger: Logger,
  ) {}

  async handle(inbound: InboundMessage): Promise<RelayOutcome> {
    const { decision, outbound } = await this.relay.route({
      id: inbound.id,
      from: inbound.from,
      to: inbound.to,
      body: inbound.body,
    });
    const outcome: RelayOutcome = {
      decision: decision.kind,
      ...('reason' in decision ? { reason: decision.reason } : {}),
      ...(decision.tenantId ? { tenantId: decision.tenantId } : {}),
      ...(decision.sessionId ? { sessionId: decision.sessionId } : {}),
    };
    if (!outbound) return outcome;
    const inserted = await this.messages.insertAccepted({
      id: uuidv7(),
      tenantId: outbound.tenantId,
      carrierId: outbound.carrierId,
      to: outbound.to,
      from: outbound.from,
      body: outbound.body,
      segments: segmentInfo(outbound.body).segments,
      idempotencyKey: `masking-relay:${inbound.id}`,
      requestDigest: null,
      traceContext: activeTraceparent(),
    });
    const message = inserted.message;
    if (message.status === 'accepted' || message.status === 'queued') {
      // Inserted queued; a retried inbound enqueues again (a no-op while the job exists).
      await this.queues.enqueue([
        { carrierId: message.carrierId, job: { messageId: message.id, tenantId: message.tenantId } },
      ]);
    }
    this.logger.debug({ messageId: message.id, sessionId: decision.sessionId }, 'relay message accepted');
    return { ...outcome, messageId: message.id };
  }
}
