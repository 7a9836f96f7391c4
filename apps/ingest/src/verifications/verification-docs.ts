import { VERIFICATION_LIMIT_FIELDS } from '@maskline/storage';
import {
  MAX_CODE_LENGTH,
  MIN_CODE_LENGTH,
  VERIFICATION_LOCALES,
  VERIFICATION_STATUSES,
} from '@maskline/verification';
import {
  dateTime,
  e164,
  list,
  nullable,
  object,
  type RouteGroupDoc,
  ref,
  uuid,
} from '../openapi/operation-doc.js';
import { MAX_TTL_SECONDS, MIN_TTL_SECONDS } from './verification-requests.js';

const TAG = 'Verifications';
const verification = ref('Verification');
const limitFields = Object.fromEntries(
  VERIFICATION_LIMIT_FIELDS.map((f) => [f, { type: 'integer', minimum: 0 }]),
);
const limits = object({
  effective: { type: 'object', properties: limitFields },
  overrides: { type: 'object', properties: limitFields },
});
const STARTED = ['verification_not_found'] as const;

/** /v1/verifications: one-time codes sent and checked by the gateway (docs/reference/api.md). */
export const verificationDocs: RouteGroupDoc = {
  schemas: {
    Verification: object({
      id: uuid,
      status: { enum: [...VERIFICATION_STATUSES] },
      to: { type: 'string', description: 'Masked.' },
      expiresAt: dateTime,
      messageId: nullable(uuid),
      sessionId: nullable({ ...uuid, description: 'The masking session of a virtualNumber send.' }),
      attempts: { type: 'integer', minimum: 0 },
      attemptsRemaining: { type: 'integer', minimum: 0 },
      sendCount: { type: 'integer', minimum: 0 },
      createdAt: dateTime,
      updatedAt: dateTime,
    }),
    VerificationLimits: limits,
    VerificationBlock: object({
      id: uuid,
      status: { enum: ['active', 'lifted', 'expired'] },
      range: { type: 'string', description: 'The blocked number prefix (a range, never a number).' },
      country: nullable({ type: 'string' }),
      reason: { type: 'string' },
      sends: { type: 'integer', minimum: 0 },
      approvals: { type: 'integer', minimum: 0 },
      createdAt: dateTime,
      expiresAt: dateTime,
      liftedAt: nullable(dateTime),
      liftedBy: nullable({ type: 'string' }),
    }),
  },
  operations: [
    {
      method: 'POST',
      path: '/v1/verifications',
      operationId: 'startVerification',
      summary: 'Send a verification code',
      tag: TAG,
      body: {
        ...object(
          {
            to: e164,
            brand: { type: 'string', minLength: 1, maxLength: 30 },
            locale: { enum: [...VERIFICATION_LOCALES], default: 'en' },
            codeLength: { type: 'integer', minimum: MIN_CODE_LENGTH, maximum: MAX_CODE_LENGTH, default: 6 },
            ttlSeconds: { type: 'integer', minimum: MIN_TTL_SECONDS, maximum: MAX_TTL_SECONDS, default: 300 },
            template: nullable({ type: 'string', maxLength: 480 }),
            from: { type: 'string' },
            virtualNumber: {
              description: 'Send from a masked virtual number of the pool (not with from).',
              anyOf: [
                { type: 'boolean' },
                {
                  ...object({ country: { type: 'string', pattern: '^[A-Z]{2}$' } }, ['country']),
                  additionalProperties: false,
                },
              ],
            },
          },
          ['locale', 'codeLength', 'ttlSeconds', 'template', 'from', 'virtualNumber'],
        ),
        additionalProperties: false,
      },
      responses: { 201: { description: 'Sent.', schema: verification, location: true } },
      errors: [
        'invalid_phone_number',
        'sandbox_unavailable',
        'sandbox_unsupported',
        'verification_template_invalid',
        'verification_send_limit_reached',
        'verification_rate_limited',
        'verification_range_blocked',
        'pool_exhausted',
        'no_route',
        'route_residency_violation',
      ],
    },
    {
      method: 'GET',
      path: '/v1/verifications/:id',
      operationId: 'getVerification',
      summary: 'Get a verification',
      tag: TAG,
      responses: { 200: { description: 'The verification.', schema: verification } },
      errors: STARTED,
    },
    {
      method: 'POST',
      path: '/v1/verifications/:id/check',
      operationId: 'checkVerification',
      summary: 'Check a code',
      tag: TAG,
      body: {
        ...object({ code: { type: 'string', pattern: '^[0-9]{1,20}$' } }),
        additionalProperties: false,
      },
      responses: {
        200: { description: 'The verification, approved if the code matched.', schema: verification },
      },
      errors: [
        ...STARTED,
        'verification_code_incorrect',
        'verification_expired',
        'verification_locked',
        'verification_already_used',
      ],
    },
    {
      method: 'POST',
      path: '/v1/verifications/:id/resend',
      operationId: 'resendVerification',
      summary: 'Send the code again',
      tag: TAG,
      responses: { 200: { description: 'The verification.', schema: verification } },
      errors: [
        ...STARTED,
        'verification_resend_too_soon',
        'verification_send_limit_reached',
        'verification_rate_limited',
        'verification_expired',
        'verification_locked',
        'verification_already_used',
      ],
    },
    {
      method: 'GET',
      path: '/v1/verifications/blocks',
      operationId: 'listVerificationBlocks',
      summary: 'List SMS-pumping blocks',
      tag: TAG,
      responses: { 200: { description: 'The blocks.', schema: list(ref('VerificationBlock')) } },
      errors: [],
    },
    {
      method: 'DELETE',
      path: '/v1/verifications/blocks/:id',
      operationId: 'liftVerificationBlock',
      summary: 'Lift an SMS-pumping block (audited)',
      tag: TAG,
      responses: { 200: { description: 'The block as lifted.', schema: ref('VerificationBlock') } },
      errors: ['verification_block_not_found'],
    },
    {
      method: 'GET',
      path: '/v1/verifications/limits',
      operationId: 'getVerificationLimits',
      summary: "The tenant's verification abuse limits",
      tag: TAG,
      responses: { 200: { description: 'In force and overridden.', schema: ref('VerificationLimits') } },
      errors: [],
    },
    {
      method: 'PUT',
      path: '/v1/verifications/limits',
      operationId: 'setVerificationLimits',
      summary: "Set the tenant's verification abuse limits (audited)",
      tag: TAG,
      body: {
        type: 'object',
        properties: Object.fromEntries(
          VERIFICATION_LIMIT_FIELDS.map((f) => [
            f,
            nullable({ type: 'integer', minimum: 0, maximum: 1000000 }),
          ]),
        ),
        additionalProperties: false,
      },
      responses: { 200: { description: 'In force and overridden.', schema: ref('VerificationLimits') } },
      errors: [],
    },
    {
      method: 'DELETE',
      path: '/v1/verifications/limits',
      operationId: 'resetVerificationLimits',
      summary: "Reset the tenant's verification limits to the defaults (audited)",
      tag: TAG,
      responses: { 204: { description: 'Reset.' } },
      errors: [],
    },
  ],
};
