import { RECEIPT_OUTCOMES } from '@maskline/plugin-sdk';
import { z } from 'zod';
import { FAILURE_CLASSES } from '../failure-class.js';
import { DEFAULT_DRAIN_TIMEOUT_MS } from '../http-plugin-base.js';
import { JSON_POINTER } from '../json-pointer.js';
import { stringsOf, unknownPlaceholders } from './template.js';

const pointer = z.string().regex(JSON_POINTER, 'must be a JSON Pointer such as "/data/id"');

const statusRange = z
  .object({
    from: z.number().int().min(100).max(599),
    to: z.number().int().min(100).max(599),
    class: z.enum(FAILURE_CLASSES),
  })
  .strict()
  .refine((r) => r.from <= r.to, 'from must not exceed to');

/** The first range holding a non-2xx status decides; unlisted statuses are temporary. */
export const DEFAULT_STATUS_CLASSES: z.infer<typeof statusRange>[] = [
  { from: 429, to: 429, class: 'throttled' },
  { from: 400, to: 499, class: 'rejected' },
  { from: 500, to: 599, class: 'temporary' },
];

const signatureSchema = z
  .object({
    /** The header carrying the signature, e.g. "x-signature". */
    header: z
      .string()
      .regex(/^[A-Za-z0-9-]+$/)
      .transform((h) => h.toLowerCase()),
    encoding: z.enum(['hex', 'base64']).default('hex'),
    /** Text before the signature in the header, e.g. "sha256=". */
    prefix: z.string().default(''),
  })
  .strict();

export const httpJsonConfigSchema = z
  .object({
    request: z
      .object({
        /** Placeholders in the URL are percent-encoded. */
        url: z.url({ protocol: /^https?$/ }),
        method: z.enum(['POST', 'PUT']).default('POST'),
        /** Sent as is; the `apiKey` secret goes in `apiKeyHeader`, never here. */
        headers: z.record(z.string(), z.string()).default({}),
        /** Header carrying the `apiKey` secret, e.g. {"name":"authorization","prefix":"Bearer "}. */
        apiKeyHeader: z
          .object({ name: z.string().min(1), prefix: z.string().default('') })
          .strict()
          .optional(),
        /** The JSON body; strings may hold {{to}} {{from}} {{body}} {{messageId}} {{tenantId}} {{statusCallbackUrl}}. */
        body: z.unknown(),
      })
      .strict(),
    response: z
      .object({
        /** Where the answer gives the provider's message id. */
        idPointer: pointer.default('/id'),
        /** Where the answer gives the number of segments sent; absent: counted from the body. */
        segmentsPointer: pointer.optional(),
        statusClasses: z.array(statusRange).default(DEFAULT_STATUS_CLASSES),
        /** Where an error answer gives the provider's error code (reported, never its text). */
        errorCodePointer: pointer.optional(),
      })
      .strict()
      .prefault({}),
    /** How long close() waits for the sends in flight before aborting them. */
    drainTimeoutMs: z.number().int().positive().default(DEFAULT_DRAIN_TIMEOUT_MS),
    /** Delivery receipts the provider POSTs as JSON to {callbackUrl}{path}; absent: none. */
    receipts: z
      .object({
        path: z
          .string()
          .regex(/^\/[A-Za-z0-9/_-]*$/)
          .default('/status'),
        idPointer: pointer,
        statusPointer: pointer,
        errorCodePointer: pointer.optional(),
        /** The provider's status word -> outcome; a word not listed is `unknown`. */
        outcomes: z.record(z.string(), z.enum(RECEIPT_OUTCOMES)),
        /** HMAC-SHA256 of the raw body with the `signingKey` secret, or "none" to accept unsigned callbacks. */
        signature: z.union([signatureSchema, z.literal('none')]),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    const texts = [config.request.url, ...stringsOf(config.request.body)];
    const unknown = [...new Set(texts.flatMap(unknownPlaceholders))];
    if (unknown.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['request'],
        message: `unknown placeholders: ${unknown.join(', ')}`,
      });
    }
    if (config.request.body === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['request', 'body'],
        message: 'a JSON body template is required',
      });
    }
  });

export type HttpJsonConfig = z.infer<typeof httpJsonConfigSchema>;
