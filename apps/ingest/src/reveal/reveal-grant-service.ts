import { type AuditRecorder, MasklineError } from '@maskline/core';
import type {
  RevealGrant,
  RevealGrantRepository,
  RevealGrantState,
  RevealHolder,
  RevealPolicyRepository,
} from '@maskline/storage';
import type { RevealGrantRequest } from './reveal-grant-requests.js';

/** The caller: `user:<id>` or `api_key:<id>` (request.principal). */
export type Principal = string;

/** The holder a principal's own grant names. */
export function holderOf(principal: Principal): RevealHolder | null {
  if (principal.startsWith('user:')) return { userId: principal.slice(5) };
  if (principal.startsWith('api_key:')) return { apiKeyId: principal.slice(8) };
  return null;
}

export function principalOfGrant(grant: RevealGrant): Principal {
  return grant.userId ? `user:${grant.userId}` : `api_key:${grant.apiKeyId}`;
}

/**
 * Reveal grants through the API (docs/guides/reveal-approval.md). A caller holding
 * `reveal:request` asks for a grant for itself; under the tenant's four-eyes policy (the
 * default) it is `pending` until a signed-in user other than the requester, holding
 * `reveal:approve`, approves or denies it. Every step is audited with its actor.
 */
export class RevealGrantService {
  constructor(
    private readonly grants: RevealGrantRepository,
    private readonly policies: RevealPolicyRepository,
    private readonly audit: AuditRecorder,
  ) {}

  async request(tenantId: string, principal: Principal, input: RevealGrantRequest): Promise<RevealGrant> {
    const holder = holderOf(principal);
    if (!holder) throw new MasklineError('forbidden');
    const pending = await this.policies.fourEyes(tenantId);
    const grant = await this.grants.request({
      tenantId,
      holder,
      reason: input.reason,
      durationSeconds: input.durationMinutes * 60,
      requestedBy: principal,
      pending,
    });
    await this.audit.record({
      tenantId,
      actor: principal,
      action: pending ? 'reveal.requested' : 'reveal.granted',
      subject: principal,
      details: { grantId: grant.id, minutes: input.durationMinutes, reason: input.reason, fourEyes: pending },
    });
    return grant;
  }

  /** The caller's own grant (another's is not found: a requester sees only its own). */
  async getOwn(tenantId: string, principal: Principal, id: string): Promise<RevealGrant> {
    const grant = await this.grants.get(tenantId, id);
    if (!grant || principalOfGrant(grant) !== principal) throw new MasklineError('reveal_grant_not_found');
    return grant;
  }

  list(tenantId: string, state?: RevealGrantState): Promise<RevealGrant[]> {
    return this.grants.list(tenantId, state);
  }

  async decide(tenantId: string, approver: Principal, id: string, approve: boolean): Promise<RevealGrant> {
    const grant = await this.grants.get(tenantId, id);
    if (!grant) throw new MasklineError('reveal_grant_not_found');
    // Four eyes: a person, and not the one who asked (nor the key it asked with).
    if (
      !approver.startsWith('user:') ||
      approver === grant.requestedBy ||
      approver === principalOfGrant(grant)
    ) {
      await this.audit.record({
        tenantId,
        actor: approver,
        action: 'reveal.approval_refused',
        subject: `reveal_grant:${id}`,
        details: { reason: 'four_eyes' },
      });
      throw new MasklineError('reveal_four_eyes');
    }
    const decided = await this.grants.decide(tenantId, id, approve, approver);
    if (!decided) throw new MasklineError('reveal_grant_not_pending');
    await this.audit.record({
      tenantId,
      actor: approver,
      action: approve ? 'reveal.granted' : 'reveal.denied',
      subject: principalOfGrant(decided),
      details: { grantId: id, requestedBy: decided.requestedBy, fourEyes: true },
    });
    return decided;
  }

  async revoke(tenantId: string, actor: Principal, id: string): Promise<void> {
    if (!(await this.grants.get(tenantId, id))) throw new MasklineError('reveal_grant_not_found');
    // Revoking a revoked grant changes nothing and records nothing: the answer is the same.
    if (!(await this.grants.revoke(id, tenantId))) return;
    await this.audit.record({
      tenantId,
      actor,
      action: 'reveal.revoked',
      subject: `reveal_grant:${id}`,
      details: {},
    });
  }

  fourEyes(tenantId: string): Promise<boolean> {
    return this.policies.fourEyes(tenantId);
  }

  async setFourEyes(tenantId: string, actor: Principal, fourEyes: boolean): Promise<void> {
    await this.policies.setFourEyes(tenantId, fourEyes, actor);
    await this.audit.record({
      tenantId,
      actor,
      action: 'reveal.policy_changed',
      subject: null,
      details: { fourEyes },
    });
  }
}
