import type { Logger, Vault } from '@maskline/core';
import { extractVerificationCode } from '@maskline/verification';
import { WEBHOOK_SECRET_FIELD } from '../endpoints/endpoint-service.js';
import { SIGNATURE_HEADER, signatureHeader } from '../signing.js';
import type { AttemptResult, DeliveryStore, LoadedDelivery } from '../store/delivery-store.js';
import type { EndpointStore } from '../store/endpoint-store.js';
import {
  type TargetPolicy,
  TargetRefusedError,
  type VettedTarget,
  vetWebhookTarget,
} from '../target-guard.js';
import type { PostResult } from '../webhook-post.js';
import { EndpointAgents } from './endpoint-agents.js';
import { KeyedLimiter } from './keyed-limiter.js';
import { nextAttemptAt, type RetrySchedule } from './retry-schedule.js';
import { tracedPost } from './traced-post.js';
import { recordWebhookAttempt } from './webhook-metrics.js';

export interface DispatchSettings {
  policy: TargetPolicy;
  retry: RetrySchedule;
  /** An endpoint failing for longer than this is disabled. */
  disableAfterMs: number;
}

/** Event types whose data may carry the inbound message's body. */
const BODY_EVENT_TYPES = new Set(['inbound.received', 'message.inbound']);
/**
 * Where an inbound message's body comes from, for `inbound.received` sent to an endpoint
 * that asked for bodies (includeInboundBody). Opened at send time, never stored in the event.
 */
export interface InboundBodySource {
  bodyOf(inboundId: string): Promise<string | null>;
}

/** The JSON body of every webhook: the event envelope (`extra` adds to its data). */
export function envelopeOf(delivery: LoadedDelivery, extra: Record<string, unknown> = {}): string {
  const { event } = delivery;
  return JSON.stringify({
    id: event.id,
    type: event.type,
    created_at: event.createdAt.toISOString(),
    tenant_id: delivery.tenantId,
    sequence: Number(event.sequence),
    data: { ...event.data, ...extra },
  });
}

/**
 * Sends one batch of deliveries (one BullMQ job). Work the batch can share is done once:
 * one query loads the deliveries, one the secrets, each endpoint's host is resolved and
 * vetted once, and one statement each records the attempts and the endpoints' health.
 */
export class DeliveryBatch {
  private readonly limiter = new KeyedLimiter();
  private readonly agents = new EndpointAgents();

  constructor(
    private readonly deliveries: DeliveryStore,
    private readonly endpoints: EndpointStore,
    private readonly vault: Vault,
    private readonly settings: DispatchSettings,
    private readonly logger: Logger,
    private readonly inbound: InboundBodySource | null = null,
    private readonly now: () => number = Date.now,
  ) {}

  async send(ids: readonly string[]): Promise<AttemptResult[]> {
    const loaded = await this.deliveries.load(ids);
    const disabled = loaded.filter((d) => !d.endpoint.enabled);
    await this.deliveries.abandon(
      disabled.map((d) => d.id),
      'endpoint_disabled',
    );
    const live = loaded.filter((d) => d.endpoint.enabled);
    if (live.length === 0) return [];
    const secrets = await this.openSecrets(live);
    const targets = new Map<string, Promise<VettedTarget | TargetRefusedError>>();
    const results = await Promise.all(
      live.map((d) =>
        this.limiter.run(d.endpointId, d.endpoint.maxConcurrency, async () => {
          // A status callback URL differs from its endpoint's: vetted as its own target.
          const key = `${d.endpointId}|${d.endpoint.url}`;
          let target = targets.get(key);
          if (!target) {
            target = vetWebhookTarget(d.endpoint.url, this.settings.policy).catch((e: unknown) => {
              if (e instanceof TargetRefusedError) return e;
              throw e;
            });
            targets.set(key, target);
          }
          return this.attempt(d, await target, secrets.get(d.endpointId) ?? []);
        }),
      ),
    );
    await this.deliveries.recordAttempts(results);
    const disabledNow = await this.deliveries.updateEndpointHealth(
      results.map((r) => ({ endpointId: r.endpointId, ok: r.outcome === 'delivered', gone: r.gone })),
      this.settings.disableAfterMs,
    );
    for (const endpointId of disabledNow) this.logger.warn({ endpointId }, 'webhook endpoint disabled');
    return results;
  }

  private async attempt(
    d: LoadedDelivery,
    target: VettedTarget | TargetRefusedError,
    secrets: string[],
  ): Promise<AttemptResult> {
    let post: PostResult;
    let sent = false;
    if (target instanceof TargetRefusedError) {
      post = { status: null, latencyMs: 0, errorClass: target.reason };
    } else if (secrets.length === 0) {
      post = { status: null, latencyMs: 0, errorClass: 'no_signing_secret' };
    } else {
      const body = envelopeOf(d, await this.inboundExtra(d));
      const signature = signatureHeader(secrets, body, Math.floor(this.now() / 1000));
      const agent = this.agents.for(d.endpointId, target, d.endpoint.maxConcurrency);
      post = await tracedPost(
        d,
        target,
        body,
        { [SIGNATURE_HEADER]: signature, 'maskline-event-id': d.event.id },
        agent,
      );
      sent = true;
    }
    const attempt = d.attempts + 1;
    const ok = post.status !== null && post.status >= 200 && post.status < 300;
    // 410 ends the delivery. It disables the endpoint only when the endpoint's own URL said
    // it: a message's status callback URL that is gone says nothing of the endpoint's others.
    const gone = post.status === 410 && !d.endpoint.statusCallback;
    const next =
      ok || post.status === 410 ? null : nextAttemptAt(this.settings.retry, attempt, d.retryFrom, this.now());
    const outcome = ok ? 'delivered' : next ? 'retry' : 'dead';
    recordWebhookAttempt({
      outcome,
      eventType: d.event.type,
      status: post.status,
      errorClass: post.errorClass,
      latencyMs: sent ? post.latencyMs : null,
    });
    return {
      deliveryId: d.id,
      endpointId: d.endpointId,
      eventId: d.event.id,
      tenantId: d.tenantId,
      attempt,
      outcome,
      statusCode: post.status,
      latencyMs: post.latencyMs,
      errorClass: post.errorClass,
      nextAttemptAt: next,
      gone,
    };
  }

  /** Closes the endpoints' kept connections. */
  close(): void {
    this.agents.close();
  }

  /**
   * What an inbound event (inbound.received, message.inbound) adds at send time, opened
   * from the sealed inbound row and never stored in the event: `{body}` for an endpoint
   * that asked for bodies, and `{verification: {code, brand} | null}` for an inbound of a
   * verification session (its code read out of the text, docs/verification-codes.md).
   * Events are the tenant's own: the owner's endpoints only.
   */
  private async inboundExtra(d: LoadedDelivery): Promise<Record<string, unknown>> {
    const inboundId = d.event.data.inboundId;
    const wantsCode = d.event.data.codeExtraction === true;
    if (
      !BODY_EVENT_TYPES.has(d.event.type) ||
      !(d.endpoint.includeInboundBody || wantsCode) ||
      typeof inboundId !== 'string'
    ) {
      return {};
    }
    let body: string | null = null;
    if (this.inbound) {
      try {
        body = await this.inbound.bodyOf(inboundId);
      } catch (error) {
        this.logger.warn(
          { eventId: d.event.id, code: (error as { code?: string }).code ?? 'unknown' },
          'inbound body cannot be opened for a webhook',
        );
      }
    }
    const extra: Record<string, unknown> = {};
    if (d.endpoint.includeInboundBody) {
      if (body === null) extra.bodyUnavailable = true;
      else extra.body = body;
    }
    if (wantsCode) extra.verification = body === null ? null : extractVerificationCode(body);
    return extra;
  }

  /** Each endpoint's current secrets in clear (newest first), opened once per batch. */
  private async openSecrets(live: LoadedDelivery[]): Promise<Map<string, string[]>> {
    const endpointIds = [...new Set(live.map((d) => d.endpointId))];
    const rows = await this.endpoints.signingSecrets(endpointIds);
    const out = new Map<string, string[]>();
    for (const row of rows) {
      try {
        const secret = await this.vault.openFor(
          row.tenantId,
          { recordId: row.id, field: WEBHOOK_SECRET_FIELD },
          row.sealed,
        );
        out.set(row.endpointId, [...(out.get(row.endpointId) ?? []), secret]);
      } catch (error) {
        // One tenant's unreadable secret (keys shredded, key provider away) fails only its
        // own deliveries (no_signing_secret, retried), never the rest of the batch.
        this.logger.warn(
          { endpointId: row.endpointId, code: (error as { code?: string }).code ?? 'unknown' },
          'webhook signing secret cannot be opened',
        );
      }
    }
    return out;
  }
}
