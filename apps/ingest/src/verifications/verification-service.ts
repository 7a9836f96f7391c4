import { type AuditRecorder, MasklineError, uuidv7, type Vault } from '@maskline/core';
import type { VerificationRecord, VerificationRepository } from '@maskline/storage';
import {
  checkOutcome,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_MAX_SENDS,
  generateVerificationCode,
  hashVerificationCode,
  renderVerificationMessage,
  type VerificationLocale,
  VerificationTemplateError,
  verificationCodeMatches,
} from '@maskline/verification';
import { isSandboxRequest } from '../auth/request-actor.js';
import type { AcceptMessage } from '../messages/accept-message.js';
import type { PumpingGuard } from './pumping-guard.js';
import type { VerificationLimits } from './verification-limits.js';
import type { StartVerificationRequest } from './verification-requests.js';
import type { VerificationSessions } from './verification-sessions.js';

export interface VerificationServiceSettings {
  /** VERIFICATION_CODE_SECRET: keys the stored code hashes. */
  secret: string;
  defaultFrom: string;
  maxSegments: number;
}

/**
 * Sends and checks one-time codes (docs/verifications.md). The SMS goes through the
 * normal pipeline (AcceptMessage: sealed body, ids-only job, kind `otp` for routing); the
 * code lives only in that sealed body and, as an HMAC, in the verification row. Nothing
 * here logs, and no error carries the code or the number.
 */
export class VerificationService {
  constructor(
    private readonly repository: VerificationRepository,
    private readonly acceptMessage: Pick<AcceptMessage, 'execute'>,
    private readonly limits: VerificationLimits,
    private readonly vault: Vault,
    private readonly settings: VerificationServiceSettings,
    /** Where a lock-out (a likely guessing attack) is recorded, beside its webhook event. */
    private readonly audit: AuditRecorder,
    /** The SMS-pumping defence: range blocks and per-range send and approval counts. */
    private readonly pumping: PumpingGuard,
    /** Sends from masked virtual numbers; null when the ingest has no masking pool wired. */
    private readonly sessions: VerificationSessions | null = null,
  ) {}

  async start(tenantId: string, request: StartVerificationRequest): Promise<VerificationRecord> {
    // A virtual number is a real number of the live pool: not for a test key's traffic.
    if (request.virtualNumber && isSandboxRequest()) throw new MasklineError('sandbox_unsupported');
    const id = uuidv7();
    const code = generateVerificationCode(request.codeLength);
    const body = this.render(request, code);
    const range = this.pumping.rangeOf(request.to);
    await this.pumping.assertOpen(tenantId, range);
    await this.limits.take(tenantId, await this.destinationIndex(tenantId, request.to), 'send', {
      range: await this.pumping.rangeKey(tenantId, range),
      country: range.country,
    });
    await this.pumping.countSend(tenantId, range, id, request.ttlSeconds);
    const sent = await this.sendFirst(tenantId, request, body, range.country);
    return this.repository.insert({
      id,
      tenantId,
      to: request.to,
      from: sent.from,
      brand: request.brand,
      locale: request.locale,
      template: request.template,
      codeLength: request.codeLength,
      ttlSeconds: request.ttlSeconds,
      codeHash: hashVerificationCode(this.settings.secret, id, code),
      maxAttempts: DEFAULT_MAX_ATTEMPTS,
      messageId: sent.messageId,
      sessionId: sent.sessionId,
    });
  }

  /**
   * The first code message: from the tenant's sender, or from a virtual number of its pool
   * (a masking session of mode `verification` reserved for this verification).
   */
  private async sendFirst(
    tenantId: string,
    request: StartVerificationRequest,
    body: string,
    destinationCountry: string | null,
  ): Promise<{ from: string; messageId: string; sessionId: string | null }> {
    if (request.virtualNumber) {
      if (!this.sessions) throw new MasklineError('pool_exhausted');
      const country = request.virtualNumber.country ?? destinationCountry;
      const { sessionId, from } = await this.sessions.open(tenantId, request.to, country, request.ttlSeconds);
      const message = await this.sessions.send(tenantId, sessionId, body);
      return { from, messageId: message.id, sessionId };
    }
    const from = request.from ?? this.settings.defaultFrom;
    const { message } = await this.acceptMessage.execute(
      tenantId,
      { to: request.to, from, body, kind: 'otp' },
      null,
    );
    return { from, messageId: message.id, sessionId: null };
  }

  async get(tenantId: string, id: string): Promise<VerificationRecord> {
    const record = await this.repository.find(tenantId, id);
    if (!record) throw new MasklineError('verification_not_found');
    return record;
  }

  /**
   * Approves the right code once. A wrong one answers 422 with the attempts left; the
   * fifth locks the verification (423) and is written to the audit log.
   */
  async check(tenantId: string, id: string, code: string, actor?: string): Promise<VerificationRecord> {
    const { secret } = this.settings;
    const result = await this.repository.check(tenantId, id, (hash, attempts, max) =>
      checkOutcome(verificationCodeMatches(secret, id, code, hash), attempts, max),
    );
    if (result.kind === 'refused')
      throw refusal(result.record, 'check') ?? new MasklineError('verification_expired');
    const { record } = result;
    switch (result.outcome) {
      case 'approved':
        await this.pumping.countApproval(tenantId, id);
        await this.closeSession(record);
        return record;
      case 'locked':
        await this.closeSession(record);
        await this.audit.record({
          tenantId,
          ...(actor ? { actor } : {}),
          action: 'verification.locked',
          subject: `verification:${id}`,
          details: { attempts: record.attempts },
        });
        throw new MasklineError('verification_locked');
      case 'failed':
        throw new MasklineError('verification_code_incorrect', {
          details: { attemptsRemaining: record.maxAttempts - record.attempts },
        });
    }
  }

  /**
   * Sends a new code (the earlier one stops working: a rotated code makes an earlier SMS
   * that leaked useless) after a 30 s cool-down, at most 5 sends in all; the validity
   * restarts. The attempt count does not.
   */
  async resend(tenantId: string, id: string): Promise<VerificationRecord> {
    // Refused before anything is counted when it cannot be claimed (the claim re-checks all
    // of it atomically: of concurrent resends, one wins).
    const found = await this.get(tenantId, id);
    const blocked = refusal(found, 'resend');
    if (blocked) throw blocked;
    const numbers = await this.repository.openNumbers(tenantId, id);
    if (!numbers) throw new MasklineError('verification_not_found');
    const code = generateVerificationCode(found.codeLength);
    const body = this.render(
      {
        brand: found.brand,
        locale: found.locale as VerificationLocale,
        template: found.template,
        ttlSeconds: found.ttlSeconds,
      },
      code,
    );
    const range = this.pumping.rangeOf(numbers.to);
    await this.pumping.assertOpen(tenantId, range);
    await this.limits.take(tenantId, await this.destinationIndex(tenantId, numbers.to), 'resend', {
      range: await this.pumping.rangeKey(tenantId, range),
      country: range.country,
    });
    const claim = await this.repository.claimResend(
      tenantId,
      id,
      hashVerificationCode(this.settings.secret, id, code),
      DEFAULT_MAX_SENDS,
    );
    if (claim.kind === 'refused')
      throw refusal(claim.record, 'resend') ?? new MasklineError('verification_resend_too_soon');
    await this.pumping.countSend(tenantId, range, id, found.ttlSeconds);
    // A verification sent from a virtual number resends from the same one (its session).
    const messageId = found.sessionId
      ? (await this.requireSessions().send(tenantId, found.sessionId, body)).id
      : (
          await this.acceptMessage.execute(
            tenantId,
            { to: numbers.to, from: numbers.from, body, kind: 'otp' },
            null,
          )
        ).message.id;
    await this.repository.setMessage(tenantId, id, messageId);
    return { ...claim.record, messageId };
  }

  private requireSessions(): VerificationSessions {
    if (!this.sessions) throw new MasklineError('pool_exhausted');
    return this.sessions;
  }

  /** An ended verification (approved, locked) gives its virtual number back to the pool. */
  private async closeSession(record: VerificationRecord): Promise<void> {
    if (record.sessionId) await this.sessions?.close(record.tenantId, record.sessionId);
  }

  private render(
    request: Pick<StartVerificationRequest, 'brand' | 'locale' | 'template' | 'ttlSeconds'>,
    code: string,
  ): string {
    try {
      return renderVerificationMessage({
        locale: request.locale,
        brand: request.brand,
        code,
        ttlSeconds: request.ttlSeconds,
        template: request.template,
        maxSegments: this.settings.maxSegments,
      });
    } catch (error) {
      if (!(error instanceof VerificationTemplateError)) throw error;
      throw new MasklineError('verification_template_invalid', {
        message: error.message,
        details: { field: 'template', reason: error.problem },
      });
    }
  }

  /** The destination as the vault's keyed blind index (per tenant): what the limits count by. */
  private async destinationIndex(tenantId: string, to: string): Promise<string> {
    return (await this.vault.forTenant(tenantId)).blindIndex(to).toString('base64url');
  }
}

/**
 * Why a verification can take no check (or resend), as the client's error; null when it can
 * (pending, unexpired, attempts left; for a resend also sends left and the cool-down over).
 */
function refusal(record: VerificationRecord | null, action: 'check' | 'resend'): MasklineError | null {
  if (!record) return new MasklineError('verification_not_found');
  switch (record.status) {
    case 'approved':
      return new MasklineError('verification_already_used');
    case 'locked':
      return new MasklineError('verification_locked');
    case 'expired':
    case 'canceled':
      return new MasklineError('verification_expired');
    case 'pending':
      if (record.expired) return new MasklineError('verification_expired');
      if (record.attempts >= record.maxAttempts) return new MasklineError('verification_locked');
      if (action === 'check') return null;
      if (record.sendCount >= DEFAULT_MAX_SENDS) return new MasklineError('verification_send_limit_reached');
      if (record.resendWaitMs > 0) {
        return new MasklineError('verification_resend_too_soon', { retryAfterMs: record.resendWaitMs });
      }
      return null;
  }
}
