import { type AuditRecorder, MasklineError } from '@maskline/core';
import {
  VERIFICATION_LIMIT_FIELDS,
  type VerificationLimitOverrides,
  type VerificationLimitRepository,
} from '@maskline/storage';
import type { VerificationLimitSettings } from './verification-config.js';
import type { VerificationLimits } from './verification-limits.js';

/** What GET/PUT /v1/verifications/limits answer: the limits in force and the tenant's own. */
export interface TenantLimitsView {
  effective: VerificationLimitSettings;
  overrides: VerificationLimitOverrides;
}

const MAX_LIMIT = 1_000_000;

/** Parses a PUT body: only the known fields, each a whole number 0..1,000,000 or null. */
export function parseLimitOverrides(body: unknown): VerificationLimitOverrides {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new MasklineError('invalid_request', { message: 'The body must be a JSON object.' });
  }
  const out: VerificationLimitOverrides = {};
  for (const [field, value] of Object.entries(body)) {
    if (!(VERIFICATION_LIMIT_FIELDS as readonly string[]).includes(field)) {
      throw new MasklineError('invalid_request', {
        message: `Unknown field; known: ${VERIFICATION_LIMIT_FIELDS.join(', ')}.`,
        details: { field: field.slice(0, 40) },
      });
    }
    if (value === null) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_LIMIT) {
      throw new MasklineError('invalid_request', {
        message: `${field} must be a whole number from 0 (no limit) to ${MAX_LIMIT}, or null (the default).`,
        details: { field },
      });
    }
    out[field as keyof VerificationLimitOverrides] = value;
  }
  return out;
}

/** A tenant's own verification limits: read, replaced, reset; every change audited. */
export class TenantVerificationLimits {
  constructor(
    private readonly repository: Pick<VerificationLimitRepository, 'get' | 'put' | 'delete'>,
    private readonly limits: Pick<VerificationLimits, 'settingsFor' | 'forget'>,
    private readonly audit: AuditRecorder,
  ) {}

  async get(tenantId: string): Promise<TenantLimitsView> {
    return {
      effective: await this.limits.settingsFor(tenantId),
      overrides: await this.repository.get(tenantId),
    };
  }

  async put(
    tenantId: string,
    overrides: VerificationLimitOverrides,
    actor: string,
  ): Promise<TenantLimitsView> {
    await this.repository.put(tenantId, overrides);
    this.limits.forget(tenantId);
    await this.audit.record({
      tenantId,
      actor,
      action: 'verification.limits_set',
      subject: `tenant:${tenantId}`,
      details: { ...overrides },
    });
    return this.get(tenantId);
  }

  async reset(tenantId: string, actor: string): Promise<void> {
    await this.repository.delete(tenantId);
    this.limits.forget(tenantId);
    await this.audit.record({
      tenantId,
      actor,
      action: 'verification.limits_reset',
      subject: `tenant:${tenantId}`,
      details: {},
    });
  }
}
