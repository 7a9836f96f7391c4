import { ERROR_CATALOGUE, type ErrorCode } from '@maskline/core';
import type { JsonSchema } from './operation-doc.js';

/** Every code of the error catalogue, in catalogue order (retired ones included: never reused). */
export const ALL_ERROR_CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

/** A code of the catalogue (also used where a list reports per-item errors). */
export const errorCodeSchema: JsonSchema = {
  enum: ALL_ERROR_CODES,
  description: 'A stable code of the error catalogue: branch on this, never on a message.',
};

/** The one error shape, `{"error":{"code","message","details"?}}`; `code` is the whole catalogue. */
export const errorSchema: JsonSchema = {
  type: 'object',
  description: 'Every error. The codes are described in docs/reference/errors.md.',
  required: ['error'],
  additionalProperties: false,
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      additionalProperties: false,
      properties: {
        code: { $ref: '#/components/schemas/ErrorCode' },
        message: { type: 'string', description: 'For people; may change.' },
        details: { type: 'object', description: 'e.g. `field`, `reason`, `scope`; never echoes a value.' },
      },
    },
  },
};

const text = (description: string): JsonSchema => ({ description, schema: { type: 'string' } });

/** Response headers, referenced as `#/components/headers/<name>`. */
export const headers: Record<string, JsonSchema> = {
  'Request-Id': text('The id of this request (your X-Request-Id when valid, else a UUID).'),
  RateLimit: text(
    'draft-ietf-httpapi-ratelimit-headers: what is left of each limit, e.g. `"key";r=59;t=42`.',
  ),
  'RateLimit-Policy': text('The limits that apply to the request, e.g. `"key";q=60;w=60`.'),
  'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer', minimum: 0 } },
  Location: text('The path of the resource created or accepted.'),
};

/** Request headers, referenced as `#/components/parameters/<name>`. */
export const parameters: Record<string, JsonSchema> = {
  IdempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description: 'Makes a retry safe: the same key and request answer the first result (200).',
    schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
  },
  XRequestId: {
    name: 'X-Request-Id',
    in: 'header',
    required: false,
    description: 'Your own request id, echoed as Request-Id.',
    schema: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$' },
  },
};
