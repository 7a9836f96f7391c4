import {
  carrierAnswerOf,
  type Logger,
  type MasklineError,
  retryDecisionFor,
  type TerminalStatus,
} from '@maskline/core';
import {
  CARRIER_BACKOFF,
  carrierBackoff,
  type DeliverJob,
  type RetryJobTiming,
  toWorkerError,
} from '@maskline/queues';
import type { DeliveryRecord } from '@maskline/storage';
import { recordFinal } from '@maskline/telemetry';
import { type Job, UnrecoverableError } from 'bullmq';
import type { Failover } from './carrier-failover.js';
import { type DeliverOutcome, lastAttemptOf } from './deliver-job.js';
import type { DeliveryStore } from './delivery-store.js';

/**
 * An ambiguous failure: the carrier may have taken the message (no answer in time, or the
 * link dropped with the submit on the wire: details.inFlight). It is retried on the same
 * carrier (whose duplicate handling, if any, applies), never failed over to another.
 */
function isAmbiguous(error: MasklineError): boolean {
  return error.code === 'carrier_timeout' || error.details?.inFlight === true;
}

/** Errors that mean the carrier said no to this message, not that something broke. */
const REJECTION_CODES = new Set(['carrier_rejected', 'carrier_invalid_destination']);

function finalStatusFor(error: MasklineError): TerminalStatus {
  return REJECTION_CODES.has(error.code) ? 'rejected' : 'failed';
}

export interface SubmitFailureOptions {
  /** Adds a message's own job (job id = message id) after its attempt in a batch failed. */
  retryLater?(job: DeliverJob, timing: RetryJobTiming): Promise<void>;
  /** Moves a message past this carrier's retry budget to another carrier (none: no failover). */
  failover?: Failover;
}

/**
 * What a failed submit leads to, for one carrier's deliver jobs: the message moves to
 * another carrier (failover), is retried (its own job, or the job's retry), or ends
 * (rejected, failed, retries exhausted), with the carrier's answer kept on the row.
 */
export class SubmitFailures {
  constructor(
    private readonly store: DeliveryStore,
    private readonly carrierId: string,
    private readonly logger: Logger,
    private readonly options: SubmitFailureOptions = {},
  ) {}

  /** The carrier refused or failed the submit: fail over, retry or end the message. */
  async afterSubmitError(
    job: Job,
    own: boolean,
    record: DeliveryRecord,
    failure: MasklineError,
  ): Promise<DeliverOutcome> {
    if (await this.failedOver(job, own, record, failure)) return 'rerouted';
    return this.afterFailure(
      job,
      own,
      record,
      await this.failed(failure, record.message.id, job, own, record.message.createdAt),
    );
  }

  /** The message could not be sent at all (its content no longer opens): retry or end it. */
  async beforeSubmit(
    job: Job,
    own: boolean,
    record: DeliveryRecord,
    failure: MasklineError,
  ): Promise<DeliverOutcome> {
    return this.afterFailure(
      job,
      own,
      record,
      await this.failed(failure, record.message.id, job, own, record.message.createdAt),
    );
  }

  /**
   * A temporary failure (a carrier error, throttling, the link away) on the message's last
   * attempt on this carrier moves it to the next eligible carrier instead of failing it.
   * Never after an ambiguous failure (carrier_timeout): the carrier may have accepted it.
   */
  private async failedOver(
    job: Job,
    own: boolean,
    record: DeliveryRecord,
    error: MasklineError,
  ): Promise<boolean> {
    const failover = this.options.failover;
    if (!failover) return false;
    if (isAmbiguous(error)) {
      // Pinned before the retry: no later failover (carrier down) may move it elsewhere.
      await failover.pin(record.message.id);
      return false;
    }
    if (retryDecisionFor(error).action === 'give_up' || !lastAttemptOf(job, own)) return false;
    return failover.reroute(record, error.code).catch((err: unknown) => {
      this.logger.warn({ messageId: record.message.id, err }, 'failover failed; retrying on this carrier');
      return false;
    });
  }

  /**
   * After a failed attempt (failed() already ended the message or kept the carrier's
   * answer). In its own job the error goes to BullMQ, which retries the job. In a batch
   * an ended message is done; a retryable one gets its own job with the remaining
   * attempts, first run after the backoff's delay (no sooner than a carrier's
   * retry-after), then backing off exponentially as one job would have.
   */
  private async afterFailure(
    job: Job,
    own: boolean,
    record: DeliveryRecord,
    error: Error,
  ): Promise<DeliverOutcome> {
    if (own || !this.options.retryLater) throw error;
    if (error instanceof UnrecoverableError) return 'ended';
    const backoffMs = typeof job.opts.backoff === 'object' ? (job.opts.backoff.delay ?? 0) : 0;
    const delayMs = await carrierBackoff(1, CARRIER_BACKOFF, error, job);
    await this.options.retryLater(
      { messageId: record.message.id, tenantId: record.message.tenantId },
      { attempts: (job.opts.attempts ?? 1) - 1, delayMs, backoffMs: backoffMs * 2 },
    );
    return 'retrying';
  }

  /**
   * A failed submit: keeps the carrier's answer on the message, then either ends the
   * message (permanent error, or its last attempt) or returns the error to retry it with
   * (a retry_after answer is an attempt like any other, see toWorkerError). In a batch
   * the message is on its first attempt: the batch's attempts cover the whole batch.
   */
  private async failed(
    error: MasklineError,
    messageId: string,
    job: Job,
    own: boolean,
    acceptedAt?: Date,
  ): Promise<Error> {
    const attempts = job.opts.attempts ?? 1;
    const attempt = own ? job.attemptsMade + 1 : 1;
    const lastAttempt = attempt >= attempts;
    const decision = retryDecisionFor(error);
    const answer = carrierAnswerOf(error);
    this.logger.warn(
      {
        messageId,
        errorCode: error.code,
        attempt,
        action: decision.action,
        ...(answer ? { carrierStatus: answer } : {}),
      },
      'submit failed',
    );
    if (decision.action === 'give_up') {
      await this.store.markFinal(messageId, finalStatusFor(error), error.code, answer);
      recordFinal(this.carrierId, finalStatusFor(error), { acceptedAt });
      return new UnrecoverableError(error.code);
    }
    if (lastAttempt) {
      await this.store.markFinal(messageId, 'failed', 'retries_exhausted', answer);
      recordFinal(this.carrierId, 'failed', { acceptedAt });
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
