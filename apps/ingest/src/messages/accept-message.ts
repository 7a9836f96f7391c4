import {
  Batcher,
  type DependencyHealth,
  InFlight,
  ItemFailure,
  type Logger,
  MasklineError,
  type Message,
  NO_DEPENDENCY_HEALTH,
  segmentInfo,
  uuidv7,
} from '@maskline/core';
import { type DeliveryQueues, MAX_DELIVER_BATCH } from '@maskline/queues';
import type { MessageRouter } from '@maskline/routing';
import type { InsertOutcome, MessageRepository, NewMessage } from '@maskline/storage';
import { ATTR, activeTraceparent, countMessages, injectTraceContext, trace } from '@maskline/telemetry';
import type { StatusCallback } from '@maskline/webhooks';
import type { SentMessage } from '../anomalies/anomaly-detectors.js';
import { isSandboxRequest } from '../auth/request-actor.js';
import type { RequestDigest, RequestDigests } from '../idempotency/request-digests.js';
import { DeliverJobWindows } from './deliver-job-windows.js';
import type { SendMessageRequest } from './message-request.js';

export interface AcceptResult {
  message: Message;
  /** False when an earlier request with the same Idempotency-Key already created it. */
  created: boolean;
}

/**
 * Accepting a message: the row commits first, `queued` (the outbox guarantee), and the
 * request answers 202 once it is durable; its job is added right after, without the request
 * waiting for it; no further statement marks the row. If Redis is away the job is missing
 * and the reconciler adds it later, so an accepted message is never lost.
 *
 * Group commit: requests that arrive together share one INSERT (one WAL flush). Deliver
 * jobs are coalesced further, over a window of a few ms across group commits
 * (DeliverJobWindows): one job carries the ids of every commit of its window (job id = the
 * window's id, written on each row by its INSERT so the reconciler can find the job). A
 * request that fails on its own (its tenant's keys were shredded: 410
 * tenant_keys_destroyed) fails alone; the others in its batch commit.
 *
 * Routing (docs/routing.md) picks each message's carrier before it joins the batch; a
 * window's rows then get one job per carrier, all with the window's id as job id (job ids
 * are per queue, and the reconciler looks for a row's job on its own carrier's queue).
 *
 * Sandbox (docs/guides/sandbox.md): a message sent inside an ml_test_ key's request skips
 * routing and goes to the sandbox carrier (a simulator), marked `sandbox` on its row.
 */
export class AcceptMessage {
  private readonly inserts: Batcher<NewMessage, InsertOutcome>;
  private readonly jobs: DeliverJobWindows;
  /** The sentObserver's calls under way (off the answer's path; awaited by drain). */
  private readonly observing = new InFlight();

  constructor(
    private readonly messages: MessageRepository,
    private readonly queues: DeliveryQueues,
    private readonly logger: Logger,
    private readonly digests: RequestDigests,
    private readonly router: Pick<MessageRouter, 'route'>,
    private readonly health: DependencyHealth = NO_DEPENDENCY_HEALTH,
    batching = { maxSize: 200, maxWaitMs: 1 },
    /** The sandbox carrier (SANDBOX_CARRIER); null: test keys cannot send. */
    private readonly sandboxCarrier: string | null = null,
    /** Hears each batch's committed messages (the new-destination-country detector). */
    private readonly sentObserver?: { sent(messages: readonly SentMessage[]): Promise<void> },
    /** How long deliver jobs collect committed messages before they are added. */
    jobWindowMs = 5,
  ) {
    this.inserts = new Batcher((ms) => this.insertJoiningWindow(ms), batching);
    this.jobs = new DeliverJobWindows((carrierId, jobId, ids) => this.enqueue(carrierId, jobId, ids), {
      windowMs: jobWindowMs,
      maxIds: MAX_DELIVER_BATCH,
    });
  }

  /**
   * Adds the jobs of every window still open and waits for the observers' calls under way
   * (shutdown, after the last request answered, before Redis closes).
   */
  async drain(): Promise<void> {
    await this.jobs.drain();
    await this.observing.drain();
  }

  /** One INSERT; its created rows join their window's deliver job (added when it closes). */
  private async insertJoiningWindow(ms: NewMessage[]): Promise<(InsertOutcome | ItemFailure)[]> {
    const jobId = this.jobs.take(ms.length);
    const created: { id: string; carrierId: string }[] = [];
    let outcomes: (InsertOutcome | ItemFailure)[] = [];
    try {
      outcomes = await this.messages.insertManyAccepted(ms.map((m) => ({ ...m, deliveryJobId: jobId })));
      for (const o of outcomes) {
        if (o instanceof ItemFailure || o.kind !== 'created') continue;
        created.push({ id: o.message.id, carrierId: o.message.carrierId });
      }
    } finally {
      this.jobs.settle(jobId, ms.length, created);
    }
    const byCarrier = new Map<string, number>();
    for (const m of created) byCarrier.set(m.carrierId, (byCarrier.get(m.carrierId) ?? 0) + 1);
    for (const [carrierId, n] of byCarrier) countMessages(carrierId, 'accepted', n);
    if (this.sentObserver) {
      // Off the answer's path: one Redis call per tenant of the batch; it never throws.
      // Sandbox messages (ml_test_ keys, magic numbers) are no traffic to watch.
      const sent = ms.filter((m, i) => {
        const o = outcomes[i];
        return !m.sandbox && o !== undefined && !(o instanceof ItemFailure) && o.kind === 'created';
      });
      void this.observing.track(this.sentObserver.sent(sent).catch(() => {}));
    }
    return outcomes;
  }

  private async enqueue(carrierId: string, batchId: string, created: string[]): Promise<void> {
    await this.queues.enqueueBatch(carrierId, batchId, created).catch((error: unknown) => {
      // Accepted and durable: the reconciler will enqueue them. The clients still get 202.
      // A Redis outage is counted and logged once per state change, not per batch.
      this.health.logUnlessUnavailable(
        this.logger,
        error,
        { count: created.length },
        'enqueue failed; left for the reconciler',
      );
    });
  }

  async execute(
    tenantId: string,
    request: SendMessageRequest,
    idempotencyKey: string | null,
    statusCallback: StatusCallback | null = null,
  ): Promise<AcceptResult> {
    const id = uuidv7();
    const { statusCallback: _requested, kind = 'transactional', ...content } = request;
    const span = trace.getActiveSpan();
    span?.setAttributes({ [ATTR.messageId]: id, [ATTR.tenantId]: tenantId });
    const sandbox = isSandboxRequest();
    const routed = sandbox ? this.sandboxRoute() : this.router.route({ id, tenantId, kind, ...content });
    span?.setAttributes({
      [ATTR.carrier]: routed.carrierId,
      ...(routed.route ? { [ATTR.routeId]: routed.route.id } : {}),
      ...(routed.route?.price
        ? { [ATTR.priceMicros]: routed.route.price.micros, [ATTR.priceCurrency]: routed.route.price.currency }
        : {}),
    });
    const outcome = await this.inserts.add({
      id,
      tenantId,
      carrierId: routed.carrierId,
      route: routed.route,
      kind,
      ...content,
      statusCallback,
      segments: segmentInfo(request.body).segments,
      idempotencyKey,
      ...(idempotencyKey ? this.requestDigest(request, sandbox) : { requestDigest: null }),
      traceContext: activeTraceparent(),
      sandbox,
    });
    if (outcome.kind === 'existing') {
      if (!outcome.sameRequest) throw new MasklineError('idempotency_conflict');
      span?.setAttribute(ATTR.messageId, outcome.message.id);
      // The first attempt committed but its client saw an error (e.g. the connection broke
      // as PostgreSQL restarted), so its job may never have been added: add it now, unless
      // its own job or its batch job still covers it (two live jobs could submit it twice),
      // or its window here has yet to add that job.
      const { status } = outcome.message;
      const pending = outcome.deliveryJobId !== null && this.jobs.holds(outcome.deliveryJobId);
      if ((status === 'accepted' || status === 'queued') && !pending)
        await this.restoreJob(outcome.message, outcome.deliveryJobId);
      return { message: outcome.message, created: false };
    }
    return { message: outcome.message, created: true };
  }

  /** A sandbox message's carrier: the sandbox one, never a route's (no price, no failover). */
  private sandboxRoute(): { carrierId: string; route: null } {
    if (this.sandboxCarrier === null) throw new MasklineError('sandbox_unavailable');
    return { carrierId: this.sandboxCarrier, route: null };
  }

  /** Re-adds the message's job if none covers it; a failure leaves it to the reconciler. */
  private async restoreJob(message: Message, deliveryJobId: string | null): Promise<void> {
    const id = message.id;
    const trace_ = injectTraceContext();
    try {
      await this.queues.restore(
        message.carrierId,
        [{ id, tenantId: message.tenantId, deliveryJobId, traceContext: trace_?.traceparent ?? null }],
        { underBatchId: false },
      );
    } catch (error) {
      // Accepted and durable: the reconciler will enqueue it. The client still gets 202.
      // A Redis outage is counted and logged once per state change, not per request.
      this.health.logUnlessUnavailable(
        this.logger,
        error,
        { messageId: id },
        'enqueue failed; left for the reconciler',
      );
    }
  }

  /** Keyed digest of the request, to tell a retry from a reuse of the key with other content. */
  private requestDigest(request: SendMessageRequest, sandbox: boolean): RequestDigest {
    // The callback joins the digest only when given: keys of requests without one keep theirs.
    const fields: unknown[] = [request.to, request.from, request.body];
    if (request.statusCallback !== undefined) fields.push(request.statusCallback);
    if (request.kind !== undefined) fields.push({ kind: request.kind });
    if (request.clientReference !== undefined) fields.push({ clientReference: request.clientReference });
    // A test key reusing a live key's Idempotency-Key (or the reverse) is a conflict, not a replay.
    if (sandbox) fields.push({ sandbox: true });
    return this.digests.of(fields);
  }
}
