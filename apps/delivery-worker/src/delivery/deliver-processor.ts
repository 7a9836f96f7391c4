import {
  carrierAnswerOf,
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
import { type Job, UnrecoverableError } from 'bullmq';
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
    /** Longest wait between two tries of the `submitted` write. */
    private readonly maxRecordBackoffMs = 5_000,
  ) {}

  async process(job: Job<DeliverJob>): Promise<DeliverOutcome> {
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
      () => this.deliver(data, job),
    );
  }

  private async deliver(data: DeliverJob, job: Job<DeliverJob>): Promise<DeliverOutcome> {
    const record = await this.store.load(data.messageId);
    if (!record) {
      this.logger.warn({ messageId: data.messageId }, 'deliver job for an unknown message');
      return 'missing';
    }
    if (record.message.status !== 'accepted' && record.message.status !== 'queued') return 'skipped';
    // A message whose content no longer opens (key destroyed, integrity failure) cannot be sent.
    if (!record.content) throw await this.failed(record.contentError, data.messageId, job);
    trace.getActiveSpan()?.setAttribute(ATTR.recipientToken, record.recipientToken);
    let result: Awaited<ReturnType<GuardedCarrier['submit']>>;
    try {
      result = await this.carrier.submit({
        messageId: data.messageId,
        ...record.content,
        requestReceipt: true,
      });
    } catch (error) {
      throw await this.failed(toMasklineError(error, 'plugin_failure'), data.messageId, job);
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
   * The carrier has the message now: failing this job would submit it again on retry. So
   * the write is retried (backoff capped at maxRecordBackoffMs) for as long as this process
   * lives; BullMQ keeps renewing the job's lock meanwhile, so no other worker takes it.
   * Only a crash can leave it unrecorded (then the retry may send it again). Logged once
   * when the writes start failing and once when one succeeds again.
   */
  private async recordSubmitted(update: SubmittedUpdate): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.store.markSubmitted(update);
        if (attempt > 1) this.logger.info({ messageId: update.id, attempts: attempt }, 'recorded submitted');
        return;
      } catch (error) {
        if (attempt === 1) {
          this.logger.warn(
            { messageId: update.id, err: error },
            'recording submitted failed; retrying until it succeeds',
          );
        }
        const delay = Math.min(50 * 2 ** attempt, this.maxRecordBackoffMs);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /**
   * A failed submit: keeps the carrier's answer on the message, then either ends the
   * message (permanent error, or the last attempt) or lets BullMQ retry the job. A
   * retry_after answer is an attempt like any other (see toWorkerError).
   */
  private async failed(error: MasklineError, messageId: string, job: Job): Promise<Error> {
    const attempts = job.opts.attempts ?? 1;
    const lastAttempt = job.attemptsMade + 1 >= attempts;
    const decision = retryDecisionFor(error);
    const answer = carrierAnswerOf(error);
    this.logger.warn(
      {
        messageId,
        errorCode: error.code,
        attempt: job.attemptsMade + 1,
        action: decision.action,
        ...(answer ? { carrierStatus: answer } : {}),
      },
      'submit failed',
    );
    if (decision.action === 'give_up') {
      await this.store.markFinal(messageId, finalStatusFor(error), error.code, answer);
      return new UnrecoverableError(error.code);
    }
    if (lastAttempt) {
      await this.store.markFinal(messageId, 'failed', 'retries_exhausted', answer);
      return new UnrecoverableError('retries_exhausted');
    }
    if (answer) {
      // Best effort: the answer is for people reading the message; the retry matters more.
      await this.store.recordCarrierAnswer(messageId, answer).catch((err: unknown) => {
        this.logger.warn({ messageId, err }, 'could not record the carrier answer');
      });
    }
    return toWorkerError(error);
  }
}
