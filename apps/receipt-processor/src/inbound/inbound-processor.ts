import type { Logger } from '@maskline/core';
import { type InboundJob, inboundJobSchema } from '@maskline/queues';
import type { InboundRepository } from '@maskline/storage';
import { ATTR, SPAN, withSpan } from '@maskline/telemetry';
import type { Tracer } from '@opentelemetry/api';
import { type Job, UnrecoverableError } from 'bullmq';

/**
 * Inbound (MO) messages. For now they are recorded and marked processed; relaying them
 * through masking sessions comes with the masking engine.
 */
export class InboundProcessor {
  constructor(
    private readonly inbound: InboundRepository,
    private readonly tracer: Tracer,
    private readonly logger: Logger,
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
        const fresh = await this.inbound.markProcessed(inboundId);
        if (fresh) this.logger.info({ inboundId, carrier: carrierId }, 'inbound message received');
        return fresh ? 'processed' : 'duplicate';
      },
    );
  }
}
