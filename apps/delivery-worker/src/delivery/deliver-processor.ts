import {
  type Logger,
  type MasklineError,
  retryDecisionFor,
  type TerminalStatus,
  toMasklineError,
} from '@maskline/core';
import { type DeliverJob, deliverJobSchema, toWorkerError } from '@maskline/queues';
import type { SubmittedUpdate } from '@maskline/storage';
import { ATTR, activeTraceparent, extractTraceContext, SPAN, withSpan } from '@maskline/telemetry';
import { type Tracer, trace } from '@opentelemetry/api';
import { type Job, UnrecoverableError, type Worker } from 'bullmq';
import type { GuardedCarrier } from '../carriers/guarded-carrier.js';
import type { DeliveryStore } from './delivery-store.js';

export type DeliverOutcome = 'submitted' | 'skipped' | 'missing';

/** Errors that mean the carrier said no to this message, not that something broke. */
const REJECTION_CODES = new Set(['carrier_rejected', 'carrier_invalid_destination']);

function finalStatusFor(error: MasklineError): TerminalStatus {
  return REJECTION_CODES.has(error.code) ? 'rejected' : 'failed';
}

/**
 * One deliver job: load the message, submit it through the carrier (clear content lives
 * only in this call), record `submitted` with the carrier's id. Idempotent: a message
 * already past `queued` is skipped, so a repeated job never submits twice.
 */
export class DeliverProcessor {
  constructor(
    private readonly store: DeliveryStore,
    private readonly carrier: GuardedCarrier,
    private readonly tracer: Tracer,
    private readonly logger: Logger,
    private readonly recordAttempts = 6,
  ) {}

  async process(job: Job<DeliverJob>, worker: Worker): Promise<DeliverOutcome> {
    const parsed = deliverJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError('invalid_request');
    const data = parsed.data;
    return withSpan(
      this.tracer,
      SPAN.deliver,
      {
        parent: extractTraceContext(data.trace),
        attributes: {
          [ATTR.messageId]: data.messageId,
          [ATTR.carrier]: this.carrier.carrierId,
          [ATTR.jobAttempt]: job.attemptsMade + 1,
        },
      },
      () => this.deliver(data, job, worker),
    );
  }

  private async deliver(data: DeliverJob, job: Job<DeliverJob>, worker: Worker): Promise<DeliverOutcome> {
    const record = await this.store.load(data.messageId);
    if (!record) {
      this.logger.warn({ messageId: data.messageId }, 'deliver job for an unknown message');
      return 'missing';
    }
    if (record.message.status !== 'accepted' && record.message.status !== 'queued') return 'skipped';
    // A message whose content no longer opens (key destroyed, integrity failure) cannot be sent.
    if (!record.content) throw await this.failed(record.contentError, data.messageId, job, worker);
    trace.getActiveSpan()?.setAttribute(ATTR.recipientToken, record.recipientToken);
    let result: Awaited<ReturnType<GuardedCarrier['submit']>>;
    try {
      result = await this.carrier.submit({
        messageId: data.messageId,
        ...record.content,
        requestReceipt: true,
      });
    } catch (error) {
      throw await this.failed(toMasklineError(error, 'plugin_failure'), data.messageId, job, worker);
    }
    await this.recordSubmitted({
      id: data.messageId,
      carrierMessageId: result.carrierMessageId,
      segments: result.segments,
      traceContext: activeTraceparent(),
      partIds: result.partIds,
    });
    return 'submitted';
  }

  /**
   * The carrier has the message now: failing this job would submit it again on retry.
   * So the write is retried here (with backoff, ~6 s in all) before the job gives up.
   */
  private async recordSubmitted(update: SubmittedUpdate): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.store.markSubmitted(update);
        return;
      } catch (error) {
        if (attempt >= this.recordAttempts) throw error;
        this.logger.warn({ messageId: update.id, attempt }, 'recording submitted failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
      }
    }
  }

  private async failed(error: MasklineError, messageId: string, job: Job, worker: Worker): Promise<Error> {
    const attempts = job.opts.attempts ?? 1;
    const lastAttempt = job.attemptsMade + 1 >= attempts;
    const decision = retryDecisionFor(error);
    this.logger.warn(
      { messageId, errorCode: error.code, attempt: job.attemptsMade + 1, action: decision.action },
      'submit failed',
    );
    if (decision.action === 'give_up') {
      await this.store.markFinal(messageId, finalStatusFor(error), error.code);
      return new UnrecoverableError(error.code);
    }
    if (lastAttempt && decision.action === 'retry_with_backoff') {
      await this.store.markFinal(messageId, 'failed', 'retries_exhausted');
      return new UnrecoverableError('retries_exhausted');
    }
    return toWorkerError(error, worker);
  }
}
