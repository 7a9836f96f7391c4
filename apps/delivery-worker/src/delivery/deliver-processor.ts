import {
  carrierAnswerOf,
  type Logger,
  type MasklineError,
  retryDecisionFor,
  type TerminalStatus,
  toMasklineError,
} from '@maskline/core';
import {
  type AnyDeliverJob,
  CARRIER_BACKOFF,
  carrierBackoff,
  type DeliverJob,
  deliverBatchJobSchema,
  deliverJobSchema,
  type RetryJobTiming,
  toWorkerError,
} from '@maskline/queues';
import type { DeliveryRecord, SubmittedUpdate } from '@maskline/storage';
import {
  ATTR,
  activeTraceparent,
  countCarrierError,
  extractTraceContext,
  processAttributes,
  recordFinal,
  recordSubmitted,
  SPAN,
  withSpan,
} from '@maskline/telemetry';
import { SpanKind, type Tracer, trace } from '@opentelemetry/api';
import { type Job, UnrecoverableError } from 'bullmq';
import type { GuardedCarrier } from '../carriers/guarded-carrier.js';
import type { Failover } from './carrier-failover.js';
import type { DeliveryStore } from './delivery-store.js';
import type { LoadGate } from './load-gate.js';
import { MessageClaims } from './message-claims.js';

/** What the processor sends through: the carrier's id and its (guarded) submit. */
export type SubmitTarget = Pick<GuardedCarrier, 'carrierId' | 'submit'>;

export type DeliverOutcome = 'submitted' | 'skipped' | 'missing' | 'ended' | 'retrying' | 'rerouted';

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

export interface DeliverProcessorOptions {
  /** Adds a message's own job (job id = message id) after its attempt in a batch failed. */
  retryLater?(job: DeliverJob, timing: RetryJobTiming): Promise<void>;
  /** The ids among these that have their own job (a batch run again leaves them to it). */
  withOwnJob?(messageIds: readonly string[]): Promise<Set<string>>;
  /** The carrier's TPS schedule (TpsReservations): a slot per submit, reserved per job. */
  pacing?: {
    reserve(count: number): Promise<number[]>;
    waitFor(slot: number): Promise<void>;
  };
  /** Longest wait between two tries of the `submitted` write. */
  maxRecordBackoffMs?: number;
  /** Bounds the messages held loaded ahead of the carrier (none: a job loads all at once). */
  loadGate?: LoadGate;
  /** Moves a message past this carrier's retry budget to another carrier (none: no failover). */
  failover?: Failover;
}

/** One job as its chunks fill it in: an outcome per message, the errors that fail the job. */
interface JobRun {
  job: Job;
  own: boolean;
  ids: string[];
  jobTrace: DeliverJob['trace'];
  outcomes: DeliverOutcome[];
  errors: unknown[];
}

function isPending(record: DeliveryRecord | null): record is DeliveryRecord {
  return record?.message.status === 'accepted' || record?.message.status === 'queued';
}

function lastAttemptOf(job: Job, own: boolean): boolean {
  return (own ? job.attemptsMade + 1 : 1) >= (job.opts.attempts ?? 1);
}

/** What one job is: its messages, and whether the job is the message's own (id = message id). */
function messagesOf(job: Job<AnyDeliverJob>): { ids: string[]; own: boolean; trace?: DeliverJob['trace'] } {
  const single = deliverJobSchema.safeParse(job.data);
  if (single.success) return { ids: [single.data.messageId], own: true, trace: single.data.trace };
  const batch = deliverBatchJobSchema.safeParse(job.data);
  if (batch.success) return { ids: batch.data.messageIds, own: false };
  throw new UnrecoverableError('invalid_request');
}

/**
 * One deliver job, of one message (its own job: a restore or a retry) or of a batch (one
 * per insert batch): load the rows in one go, submit each pending one through the carrier
 * (clear content lives only in this call; the plugin's window bounds what is on the wire),
 * record `submitted` with the carrier's id. Idempotent: a message already past `queued` is
 * skipped, so a repeated job never submits twice.
 *
 * Failures stay per message. In its own job a failed message throws, and BullMQ retries
 * the job as before. In a batch, a permanent failure ends that message only; a retryable
 * one adds the message's own job (the remaining attempts, the backoff's delay) before the
 * batch job completes, so a job always covers a pending message. Only a failure of the
 * whole batch (PostgreSQL unreachable at load) throws, and BullMQ retries the batch.
 */
export class DeliverProcessor {
  private readonly maxRecordBackoffMs: number;
  /** A message is delivered by one job at a time in this process (see MessageClaims). */
  private readonly claims = new MessageClaims();

  constructor(
    private readonly store: DeliveryStore,
    private readonly carrier: SubmitTarget,
    private readonly tracer: Tracer,
    private readonly logger: Logger,
    private readonly options: DeliverProcessorOptions = {},
  ) {
    this.maxRecordBackoffMs = options.maxRecordBackoffMs ?? 5_000;
  }

  async process(job: Job<AnyDeliverJob>): Promise<DeliverOutcome[]> {
    const { ids, own, trace: jobTrace } = messagesOf(job);
    // A batch run again (a retry, or taken back from a dead worker) may have given some of
    // its messages their own job already: those are left to it, never submitted twice.
    const rerun = !own && (job.attemptsMade > 0 || (job.stalledCounter ?? 0) > 0);
    const handedOff = rerun
      ? ((await this.options.withOwnJob?.(ids)) ?? new Set<string>())
      : new Set<string>();
    const run: JobRun = { job, own, ids, jobTrace, outcomes: ids.map(() => 'skipped'), errors: [] };
    const seen = new Set<string>();
    const todo = ids.flatMap((id, index) => {
      if (handedOff.has(id) || seen.has(id)) return [];
      seen.add(id);
      return [index];
    });
    // Messages load as the gate lets them (as earlier ones went through the carrier), not
    // all at once: 64 jobs of 200 would otherwise hold 12,800 opened messages for a window of 10.
    const chunks: Promise<void>[] = [];
    for (let next = 0; next < todo.length; ) {
      const gate = this.options.loadGate;
      const count = gate ? await gate.take(todo.length - next) : todo.length - next;
      chunks.push(this.deliverChunk(run, todo.slice(next, next + count)));
      next += count;
    }
    await Promise.all(chunks);
    // A load that failed (the database away, or one tenant's keys) or a failure that could
    // not be recorded: the job is retried; the messages it already handled are skipped then.
    if (run.errors.length > 0) throw run.errors[0];
    return run.outcomes;
  }

  /** Loads these messages of the job (one shared statement) and submits the pending ones. */
  private async deliverChunk(run: JobRun, indexes: number[]): Promise<void> {
    const done = await this.claims.claim(indexes.map((index) => run.ids[index]!));
    const release = (index: number) => {
      this.options.loadGate?.release();
      done(run.ids[index]!);
    };
    const loads = await Promise.allSettled(indexes.map((index) => this.store.load(run.ids[index]!)));
    const toSend: { index: number; record: DeliveryRecord }[] = [];
    loads.forEach((load, k) => {
      const index = indexes[k]!;
      // A message moved to another carrier (failover) is that carrier's now: skipped here.
      if (
        load.status === 'fulfilled' &&
        isPending(load.value) &&
        load.value.message.carrierId === this.carrier.carrierId
      ) {
        toSend.push({ index, record: load.value });
        return;
      }
      release(index);
      if (load.status === 'rejected') run.errors.push(load.reason);
      else if (!load.value) {
        this.logger.warn({ messageId: run.ids[index] }, 'deliver job for an unknown message');
        run.outcomes[index] = 'missing';
      }
    });
    let slots: number[] = [];
    try {
      slots = toSend.length > 0 ? ((await this.options.pacing?.reserve(toSend.length)) ?? []) : [];
    } catch (error) {
      for (const { index } of toSend) release(index);
      run.errors.push(error);
      return;
    }
    await Promise.all(
      toSend.map(async ({ index, record }, i) => {
        let permit = true;
        const submitted = () => {
          if (permit) this.options.loadGate?.release();
          permit = false;
        };
        try {
          run.outcomes[index] = await this.deliverOne(
            run.job,
            run.own,
            record,
            run.jobTrace,
            slots[i],
            submitted,
          );
        } catch (error) {
          run.errors.push(error);
        } finally {
          submitted();
          done(record.message.id);
        }
      }),
    );
  }

  private deliverOne(
    job: Job,
    own: boolean,
    record: DeliveryRecord,
    jobTrace: DeliverJob['trace'],
    slot: number | undefined,
    /** Called once the carrier has answered: the message's content is no longer needed. */
    submitted: () => void,
  ): Promise<DeliverOutcome> {
    const messageId = record.message.id;
    return withSpan(
      this.tracer,
      SPAN.deliver,
      {
        // Each message continues its own trace: the context stored on its row at accept.
        parent: extractTraceContext(record.traceContext ?? jobTrace),
        kind: SpanKind.CONSUMER,
        attributes: {
          ...processAttributes(job.queueName),
          [ATTR.messageId]: messageId,
          [ATTR.carrier]: this.carrier.carrierId,
          [ATTR.jobAttempt]: own ? job.attemptsMade + 1 : 1,
          ...routeAttributes(record),
        },
      },
      async () => {
        // A message whose content no longer opens (key destroyed, integrity failure) cannot be sent.
        if (!record.content) {
          return this.afterFailure(
            job,
            own,
            record,
            await this.failed(record.contentError, messageId, job, own, record.message.createdAt),
          );
        }
        trace.getActiveSpan()?.setAttribute(ATTR.recipientToken, record.recipientToken);
        if (slot !== undefined) await this.options.pacing?.waitFor(slot);
        let result: Awaited<ReturnType<GuardedCarrier['submit']>>;
        try {
          result = await this.carrier.submit({
            messageId,
            tenantId: record.message.tenantId,
            ...record.content,
            requestReceipt: true,
          });
        } catch (error) {
          submitted();
          const failure = toMasklineError(error, 'plugin_failure');
          countCarrierError(this.carrier.carrierId, failure.code);
          if (await this.failedOver(job, own, record, failure)) return 'rerouted';
          return this.afterFailure(
            job,
            own,
            record,
            await this.failed(failure, messageId, job, own, record.message.createdAt),
          );
        }
        submitted();
        await this.recordSubmitted({
          id: messageId,
          carrierMessageId: result.carrierMessageId,
          segments: result.segments,
          traceContext: activeTraceparent(),
          partIds: result.partIds,
        });
        recordSubmitted(this.carrier.carrierId, record.message.createdAt);
        return 'submitted';
      },
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
   * The carrier is down (its link here, as the shared health says): moves every pending
   * message of the job to another eligible carrier. Returns how many are left on this
   * carrier (the caller delays the job for them); moved ones are skipped when it returns.
   */
  async failOverAll(job: Job<AnyDeliverJob>): Promise<number> {
    const failover = this.options.failover;
    const { ids } = messagesOf(job);
    if (!failover?.enabled()) return ids.length;
    let left = 0;
    for (const id of new Set(ids)) {
      const done = await this.claims.claim([id]);
      try {
        const record = await this.store.load(id);
        if (!isPending(record) || record.message.carrierId !== this.carrier.carrierId) continue;
        if (!(await failover.reroute(record, 'carrier_unavailable'))) left++;
      } finally {
        done(id);
      }
    }
    return left;
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
      recordFinal(this.carrier.carrierId, finalStatusFor(error), { acceptedAt });
      return new UnrecoverableError(error.code);
    }
    if (lastAttempt) {
      await this.store.markFinal(messageId, 'failed', 'retries_exhausted', answer);
      recordFinal(this.carrier.carrierId, 'failed', { acceptedAt });
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

/** The route decision as span attributes: ids and the price, never a number or body. */
function routeAttributes(record: DeliveryRecord): Record<string, string | number> {
  const route = record.message.route;
  if (!route) return {};
  return {
    [ATTR.routeId]: route.id,
    ...(route.price
      ? { [ATTR.priceMicros]: route.price.micros, [ATTR.priceCurrency]: route.price.currency }
      : {}),
  };
}
