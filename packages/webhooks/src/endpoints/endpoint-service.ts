import { randomBytes } from 'node:crypto';
import { type KeysetPage, keysetPage, MasklineError, uuidv7, type Vault } from '@maskline/core';
import { isValidSubscription } from '../event-types.js';
import type { EndpointPatch, EndpointStore, SealedSecretRow } from '../store/endpoint-store.js';
import { checkWebhookUrl, type TargetPolicy, TargetRefusedError } from '../target-guard.js';
import { type EndpointView, toEndpointView } from './endpoint-view.js';

/** The vault binding field of a signing secret (also listed in storage's SEALED_TABLES). */
export const WEBHOOK_SECRET_FIELD = 'webhook_secret';

export interface NewEndpoint {
  url: string;
  eventTypes: string[];
  includeInboundBody?: boolean;
  description?: string | null;
  maxConcurrency?: number;
  timeoutMs?: number;
}

/** How long the previous secret keeps signing after a rotation, unless the caller says. */
export const DEFAULT_ROTATION_OVERLAP_MS = 24 * 3_600_000;

/**
 * Webhook endpoints of a tenant: URL and subscriptions validated, signing secrets generated
 * here, sealed under the tenant's vault key and returned in clear exactly once.
 */
export class EndpointService {
  constructor(
    private readonly store: EndpointStore,
    private readonly vault: Vault,
    private readonly policy: TargetPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  async create(tenantId: string, input: NewEndpoint): Promise<{ endpoint: EndpointView; secret: string }> {
    const id = uuidv7();
    const { sealed, secret } = await this.newSecret(tenantId, id);
    const row = await this.store.create(
      {
        id,
        tenantId,
        url: this.checkUrl(input.url),
        eventTypes: this.checkTypes(input.eventTypes),
        includeInboundBody: input.includeInboundBody ?? false,
        description: input.description ?? null,
        maxConcurrency: input.maxConcurrency ?? 4,
        timeoutMs: input.timeoutMs ?? 10_000,
      },
      sealed,
    );
    return { endpoint: toEndpointView(row), secret };
  }

  async get(tenantId: string, id: string): Promise<EndpointView> {
    const row = await this.store.get(tenantId, id);
    if (!row) throw new MasklineError('webhook_not_found');
    return toEndpointView(row);
  }

  async list(
    tenantId: string,
    options: { limit: number; cursor: string | null },
  ): Promise<KeysetPage<EndpointView>> {
    const rows = await this.store.list(tenantId, options.limit + 1, options.cursor);
    return keysetPage(rows, options.limit, toEndpointView, (r) => r.id);
  }

  async update(tenantId: string, id: string, patch: EndpointPatch): Promise<EndpointView> {
    const checked: EndpointPatch = { ...patch };
    if (patch.url !== undefined) checked.url = this.checkUrl(patch.url);
    if (patch.eventTypes !== undefined) checked.eventTypes = this.checkTypes(patch.eventTypes);
    const row = await this.store.update(tenantId, id, checked);
    if (!row) throw new MasklineError('webhook_not_found');
    return toEndpointView(row);
  }

  async delete(tenantId: string, id: string): Promise<void> {
    if (!(await this.store.delete(tenantId, id))) throw new MasklineError('webhook_not_found');
  }

  /**
   * A new signing secret; the previous one keeps signing (both signatures sent) until
   * `previousValidForMs` from now, so receivers can switch without losing a request.
   */
  async rotateSecret(
    tenantId: string,
    id: string,
    previousValidForMs = DEFAULT_ROTATION_OVERLAP_MS,
  ): Promise<{ secret: string; previousSecretExpiresAt: string }> {
    const { sealed, secret } = await this.newSecret(tenantId, id);
    const until = new Date(this.now() + previousValidForMs);
    if (!(await this.store.rotateSecret(tenantId, id, sealed, until)))
      throw new MasklineError('webhook_not_found');
    return { secret, previousSecretExpiresAt: until.toISOString() };
  }

  private async newSecret(
    tenantId: string,
    endpointId: string,
  ): Promise<{ sealed: SealedSecretRow; secret: string }> {
    const tv = await this.vault.forTenant(tenantId);
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    const id = uuidv7();
    return {
      secret,
      sealed: {
        id,
        endpointId,
        sealed: tv.seal({ recordId: id, field: WEBHOOK_SECRET_FIELD }, secret),
        keyVersion: tv.activeVersion,
      },
    };
  }

  private checkUrl(url: string): string {
    try {
      return checkWebhookUrl(url, this.policy).toString();
    } catch (error) {
      if (!(error instanceof TargetRefusedError)) throw error;
      throw new MasklineError('invalid_webhook_url', { details: { field: 'url', reason: error.reason } });
    }
  }

  private checkTypes(types: string[]): string[] {
    const bad = types.find((t) => !isValidSubscription(t));
    if (bad !== undefined || types.length === 0) {
      throw new MasklineError('invalid_webhook_event_type', { details: { field: 'eventTypes' } });
    }
    return [...new Set(types)];
  }
}
