import { type AuditRecorder, MasklineError, type Vault } from '@maskline/core';
import { LuaScript, type RedisClient } from '@maskline/queues';
import type { VerificationBlock, VerificationBlockRepository } from '@maskline/storage';
import {
  type NumberRange,
  numberRange,
  type PumpingThresholds,
  pumpingVerdict,
} from '@maskline/verification';

/**
 * Counts one send towards a range in its fixed window (which starts with its first send)
 * and remembers which range a verification went to, for its approval. KEYS: range counter
 * hash, verification key; ARGV: window ms, verification key ttl ms, range key suffix.
 * Returns {sends, approvals}.
 */
const SEND_SCRIPT = new LuaScript(`
local sends = redis.call('HINCRBY', KEYS[1], 's', 1)
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[2])
return {sends, tonumber(redis.call('HGET', KEYS[1], 'a') or '0')}`);

/**
 * Counts an approval for the range the verification was sent to (once: the verification
 * key is deleted). KEYS: verification key; ARGV: range key base, window ms. The range
 * counter it also touches carries the same {tenant} hash tag, so on Redis Cluster it lies
 * in the declared key's slot.
 */
const APPROVAL_SCRIPT = new LuaScript(`
local range = redis.call('GET', KEYS[1])
if not range then return 0 end
redis.call('DEL', KEYS[1])
local key = ARGV[1] .. range
redis.call('HINCRBY', key, 'a', 1)
if redis.call('PTTL', key) < 0 then redis.call('PEXPIRE', key, ARGV[2]) end
return 1`);

/** Who the audit log names for a block the detector made. */
export const PUMPING_DETECTOR_ACTOR = 'system:pumping-detector';

/**
 * The SMS-pumping defence of /v1/verifications (docs/verifications.md#sms-pumping). Per
 * tenant and number range: sends and approvals counted in Redis (a range enters a key only
 * as the vault's keyed blind index of its prefix, never in clear), the verdict from
 * @maskline/verification, blocks in PostgreSQL. A block writes a `security.alert` webhook
 * event (same transaction) and an audit entry (counts and country; the prefix is kept out
 * of the append-only log). Redis errors propagate (503): like the limits, it fails closed.
 */
export class PumpingGuard {
  constructor(
    private readonly redis: RedisClient,
    private readonly blocks: VerificationBlockRepository,
    private readonly vault: Vault,
    private readonly audit: AuditRecorder,
    private readonly thresholds: PumpingThresholds,
    private readonly prefix = 'ml-verify-pump',
  ) {}

  rangeOf(to: string): NumberRange {
    return numberRange(to, this.thresholds.rangeDigits);
  }

  /** Throws 403 verification_range_blocked while the range has an active block. */
  async assertOpen(tenantId: string, range: NumberRange): Promise<void> {
    const block = await this.blocks.findActive(tenantId, range.prefix);
    if (block) throw blockedError(block);
  }

  /**
   * Counts a send (new verification or resend) before it goes out. When the range's counts
   * now call for a block, blocks it and refuses this send too (403). With minSends 0 it
   * counts nothing.
   */
  async countSend(
    tenantId: string,
    range: NumberRange,
    verificationId: string,
    ttlSeconds: number,
  ): Promise<void> {
    const t = this.thresholds;
    if (t.minSends <= 0) return;
    const rangeKey = await this.rangeKey(tenantId, range);
    const [sends, approvals] = (await SEND_SCRIPT.run(
      this.redis,
      [this.base(tenantId) + rangeKey, this.verificationKey(tenantId, verificationId)],
      [t.windowMs, ttlSeconds * 1000 + 60_000, rangeKey],
    )) as [number, number];
    const verdict = pumpingVerdict({ sends, approvals }, t);
    if (!verdict.block) return;
    const block = await this.trip(tenantId, range, rangeKey, sends, approvals, verdict.completionRate);
    throw blockedError(block);
  }

  /** Counts a right code for the range its verification was sent to. */
  async countApproval(tenantId: string, verificationId: string): Promise<void> {
    if (this.thresholds.minSends <= 0) return;
    await APPROVAL_SCRIPT.run(
      this.redis,
      [this.verificationKey(tenantId, verificationId)],
      [this.base(tenantId), this.thresholds.windowMs],
    );
  }

  /** Blocks the range (or finds the block a concurrent detection made); its counts restart. */
  private async trip(
    tenantId: string,
    range: NumberRange,
    rangeKey: string,
    sends: number,
    approvals: number,
    completionRate: number,
  ): Promise<VerificationBlock> {
    const t = this.thresholds;
    const created = await this.blocks.create({
      tenantId,
      rangePrefix: range.prefix,
      country: range.country,
      sends,
      approvals,
      blockMs: t.blockMs,
      alert: {
        kind: 'verification_pumping',
        range: range.prefix,
        country: range.country,
        sends,
        approvals,
        completionRate: Math.round(completionRate * 1000) / 1000,
        windowSeconds: t.windowMs / 1000,
      },
    });
    // Sends are refused while the block holds; after it the range starts counting afresh.
    await this.redis.del(this.base(tenantId) + rangeKey);
    if (!created) {
      const existing = await this.blocks.findActive(tenantId, range.prefix);
      if (existing) return existing;
      throw new MasklineError('service_unavailable');
    }
    await this.audit.record({
      tenantId,
      actor: PUMPING_DETECTOR_ACTOR,
      action: 'verification.range_blocked',
      subject: `verification_block:${created.id}`,
      details: {
        reason: created.reason,
        country: created.country,
        sends,
        approvals,
        expiresAt: created.expiresAt.toISOString(),
      },
    });
    return created;
  }

  private base(tenantId: string): string {
    return `${this.prefix}:{${tenantId}}:r:`;
  }

  private verificationKey(tenantId: string, verificationId: string): string {
    return `${this.prefix}:{${tenantId}}:v:${verificationId}`;
  }

  /** The range as the tenant's keyed blind index of its prefix: what Redis sees. */
  async rangeKey(tenantId: string, range: NumberRange): Promise<string> {
    return (await this.vault.forTenant(tenantId)).blindIndex(`range:${range.prefix}`).toString('base64url');
  }
}

function blockedError(block: VerificationBlock): MasklineError {
  return new MasklineError('verification_range_blocked', {
    details: { blockId: block.id, expiresAt: block.expiresAt.toISOString() },
  });
}
