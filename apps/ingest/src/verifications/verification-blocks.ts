import { type AuditRecorder, isUuid, MasklineError } from '@maskline/core';
import type { VerificationBlock, VerificationBlockRepository } from '@maskline/storage';

export interface VerificationBlockView {
  id: string;
  /** `active`, `expired` or `lifted`. */
  status: 'active' | 'expired' | 'lifted';
  /** The number range: an E.164 number without its last digits (the tenant's own traffic). */
  range: string;
  country: string | null;
  reason: string;
  /** What the detector counted in the window when it blocked the range. */
  sends: number;
  approvals: number;
  createdAt: string;
  expiresAt: string;
  liftedAt: string | null;
  liftedBy: string | null;
}

export function toBlockView(block: VerificationBlock): VerificationBlockView {
  return {
    id: block.id,
    status: block.liftedAt ? 'lifted' : block.active ? 'active' : 'expired',
    range: block.rangePrefix,
    country: block.country,
    reason: block.reason,
    sends: block.sends,
    approvals: block.approvals,
    createdAt: block.createdAt.toISOString(),
    expiresAt: block.expiresAt.toISOString(),
    liftedAt: block.liftedAt?.toISOString() ?? null,
    liftedBy: block.liftedBy,
  };
}

/**
 * What an admin does with SMS-pumping blocks, through the API (GET/DELETE
 * /v1/verifications/blocks) and `npm run ml -- verification-blocks ...`: list them, lift
 * one. A lift is written to the audit log with who did it.
 */
export class VerificationBlocks {
  constructor(
    private readonly repository: VerificationBlockRepository,
    private readonly audit: AuditRecorder,
  ) {}

  async list(tenantId: string): Promise<VerificationBlockView[]> {
    return (await this.repository.list(tenantId)).map(toBlockView);
  }

  /**
   * Lifts an active block at once (the next send to the range goes out; the range counts
   * afresh). Lifting a block that already ended answers it as it is (nothing is recorded).
   */
  async lift(tenantId: string, id: string, actor: string): Promise<VerificationBlockView> {
    if (!isUuid(id)) throw new MasklineError('verification_block_not_found');
    const lifted = await this.repository.lift(tenantId, id, actor);
    if (!lifted) {
      const found = await this.repository.find(tenantId, id);
      if (!found) throw new MasklineError('verification_block_not_found');
      return toBlockView(found);
    }
    await this.audit.record({
      tenantId,
      actor,
      action: 'verification.range_unblocked',
      subject: `verification_block:${id}`,
      details: { country: lifted.country },
    });
    return toBlockView(lifted);
  }
}
