import type { Logger } from '@maskline/core';
import { type InboundJob, inboundJobSchema } from '@maskline/queues';
import type { InboundRepository } from '@maskline/storage';
import { ATTR, processAttributes, SPAN, withSpan } from '@maskline/telemetry';
import { SpanKind, type Tracer } from '@opentelemetry/api';
import { type Job, UnrecoverableError } from 'bullmq';
import type { MaskingRelay } from './masking-relay.js';
import type { OwnedNumberInbound } from './owned-number-inbound.js';

/**
 * Inbound (MO) messages: relayed through masking sessions (when the relay is wired); one
 * to no pool number but to a tenant's own number becomes that tenant's `message.inbound`
 * event; then marked processed. A retry after a partial failure relays at most once (the
 * outbound message is keyed by the inbound id) and emits at most one event (keyed too).
 */
export class InboundProcessor {
  constructor(
    private readonly inbound: InboundRepository,
    private readonly tracer: Tracer,
    private readonly logger: Logger,
    private readonly relay: MaskingRelay | null = null,
    private readonly owned: OwnedNumberInbound | null = null,
  ) {}

  async process(job: Job<InboundJob>): Promise<'processed' | 'duplicate'> {
    const parsed = inboundJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError('invalid_request');
    const { inboundId, carrierId } = parsed.data;
    return withSpan(
      this.tracer,
      SPAN.inbound,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          ...processAttributes(job.queueName),
          [ATTR.inboundId]: inboundId,
          [ATTR.carrier]: carrierId,
        },
      },
      async () => {
        if (this.relay || this.owned) {
          try {
            const message = await this.inbound.load(inboundId);
            if (!message || message.processedAt) return 'duplicate';
            const relayed = this.relay ? await this.relay.handle(message) : null;
            const notPooled = !relayed || relayed.reason === 'unknown_number';
            const outcome = (notPooled ? await this.owned?.handle(message) : null) ?? relayed;
            if (outcome)
              this.logger.info({ inboundId, carrier: carrierId, ...outcome }, 'inbound message routed');
          } catch (error) {
            // The job is retried; the line says which message and why (a code, never a
            // driver message: PostgreSQL's can quote the values of the row).
            this.logger.warn(
              { inboundId, carrier: carrierId, errorCode: errorCodeOf(error) },
              'inbound routing failed',
            );
            throw error;
          }
        }
        const fresh = await this.inbound.markProcessed(inboundId);
        if (fresh) this.logger.info({ inboundId, carrier: carrierId }, 'inbound message received');
        return fresh ? 'processed' : 'duplicate';
      },
    );
  }
}

function errorCodeOf(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' ? code : 'unknown';
}
