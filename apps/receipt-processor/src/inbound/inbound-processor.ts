import type { Logger } from '@maskline/core';
import { type InboundJob, inboundJobSchema } from '@maskline/queues';
import type { InboundRepository } from '@maskline/storage';
import { ATTR, SPAN, withSpan } from '@maskline/telemetry';
import type { Tracer } from '@opentelemetry/api';
import { type Job, UnrecoverableError } from 'bullmq';
import type { MaskingRelay } from './masking-relay.js';

/**
 * Inbound (MO) messages: relayed through masking sessions (when the relay is wired), then
 * marked processed. A retry after a partial failure relays at most once: the outbound
 * message is keyed by the inbound id.
 */
export class InboundProcessor {
  constructor(
    private readonly inbound: InboundRepository,
    private readonly tracer: Tracer,
    private readonly logger: Logger,
    private readonly relay: MaskingRelay | null = null,
  ) {}

  async process(job: Job<InboundJob>): Promise<'processed' | 'duplicate'> {
    const parsed = inboundJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError('invalid_request');
    const { inboundId, carrierId } = parsed.data;
    return withSpan(
      this.tracer,
      SPAN.inbound,
      { attributes: { [ATTR.inboundId]: inboundId, [ATTR.carrier]: carrierId } },
      async () => {
        if (this.relay) {
          const message = await this.inbound.load(inboundId);
          if (!message || message.processedAt) return 'duplicate';
          const outcome = await this.relay.handle(message);
          this.logger.info({ inboundId, carrier: carrierId, ...outcome }, 'inbound message routed');
        }
        const fresh = await this.inbound.markProcessed(inboundId);
        if (fresh) this.logger.info({ inboundId, carrier: carrierId }, 'inbound message received');
        return fresh ? 'processed' : 'duplicate';
      },
    );
  }
}
