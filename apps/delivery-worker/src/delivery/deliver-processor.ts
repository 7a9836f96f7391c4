import type { Logger } from '@maskline/core';
import { toMasklineError } from '@maskline/core';
import type { AnyDeliverJob, DeliverJob } from '@maskline/queues';
import type { DeliveryRecord } from '@maskline/storage';
import {
  ATTR,
  activeTraceparent,
  countCarrierError,
  extractTraceContext,
  processAttributes,
  recordSubmitted,
  SPAN,
  withSpan,
} from '@maskline/telemetry';
import { SpanKind, type Tracer, trace } from '@opentelemetry/api';
import type { Job } from 'bullmq';
import type { GuardedCarrier } from '../carriers/guarded-carrier.js';
import { type DeliverOutcome, isPending, type JobRun, messagesOf } from './deliver-job.js';
import type { DeliveryStore } from './delivery-store.js';
import type { LoadGate } from './load-gate.js';
import { MessageClaims } from './message-claims.js';
import { type SubmitFailureOptions, SubmitFailures } from './submit-failures.js';
import { recordSubmittedUntilDone } from './submitted-recorder.js';

export type { DeliverOutcome } from './deliver-job.js';

/** What the processor sends through: the carrier's id and its (guarded) submit. */
export type SubmitTarget = Pick<GuardedCarrier, 'carrierId' | 'submit'>;

export interface DeliverProcessorOptions extends SubmitFailureOptions {
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
  private readonly failures: SubmitFailures;

  constructor(
    private readonly store: DeliveryStore,
    private readonly carrier: SubmitTarget,
    private readonly tracer: Tracer,
    private readonly logger: Logger,
    private readonly options: DeliverProcessorOptions = {},
  ) {
    this.maxRecordBackoffMs = options.maxRecordBackoffMs ?? 5_000;
    this.failures = new SubmitFailures(store, carrier.carrierId, logger, options);
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
        if (!record.content) return this.failures.beforeSubmit(job, own, record, record.contentError);
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
          return this.failures.afterSubmitError(job, own, record, failure);
        }
        submitted();
        await recordSubmittedUntilDone(
          this.store,
          this.logger,
          {
            id: messageId,
            carrierMessageId: result.carrierMessageId,
            segments: result.segments,
            traceContext: activeTraceparent(),
            partIds: result.partIds,
          },
          this.maxRecordBackoffMs,
        );
        recordSubmitted(this.carrier.carrierId, record.message.createdAt);
        return 'submitted';
      },
    );
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
