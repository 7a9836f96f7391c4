import type { ErrorCode } from '@maskline/core';

/** A JSON Schema (2020-12) object, as OpenAPI 3.1 embeds it. */
export type JsonSchema = Record<string, unknown>;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ResponseDoc {
  description: string;
  /** The JSON body (absent: no body, e.g. 204). */
  schema?: JsonSchema;
  /** The answer carries a Location header naming the resource. */
  location?: boolean;
}

/**
 * One route as the OpenAPI document describes it, kept beside the route's code
 * (`*-docs.ts`). Path parameters come from the `:name` segments of `path`. Requests are
 * still validated by the route's own parsers: these schemas document them.
 */
export interface OperationDoc {
  method: HttpMethod;
  /** As registered with fastify, e.g. `/v1/messages/:id`. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  query?: Record<string, { schema: JsonSchema; description: string; required?: boolean }>;
  body?: JsonSchema;
  /** The body may also be sent as text/csv (its schema: a string). */
  alsoCsv?: boolean;
  /** The body may be left out (its fields all have defaults). */
  bodyOptional?: boolean;
  /** Accepts an Idempotency-Key header. */
  idempotencyKey?: boolean;
  responses: Partial<Record<200 | 201 | 202 | 204, ResponseDoc>>;
  /** Codes this route itself can answer; those every route can answer are added. */
  errors: readonly ErrorCode[];
  /** No API key needed (no auth, scope or rate-limit answers). */
  public?: boolean;
}

/** Small builders so descriptors stay readable. */
export const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
export const nullable = (schema: JsonSchema): JsonSchema => ({ anyOf: [schema, { type: 'null' }] });
export const uuid: JsonSchema = { type: 'string', format: 'uuid' };
export const dateTime: JsonSchema = { type: 'string', format: 'date-time' };
export const e164: JsonSchema = {
  type: 'string',
  pattern: '^\\+[1-9][0-9]{6,14}$',
  description: 'An E.164 phone number.',
};

/** An object whose listed properties are all required (unless named in `optional`). */
export function object(properties: Record<string, JsonSchema>, optional: readonly string[] = []): JsonSchema {
  return {
    type: 'object',
    properties,
    required: Object.keys(properties).filter((key) => !optional.includes(key)),
  };
}

/** `{ data: [...] }`, with `nextCursor` when the list is paged. */
export function list(item: JsonSchema, paged = false): JsonSchema {
  return object({
    data: { type: 'array', items: item },
    ...(paged ? { nextCursor: nullable({ type: 'string' }) } : {}),
  });
}

/** A route module's part of the document: its operations and the named schemas they use. */
export interface RouteGroupDoc {
  schemas?: Record<string, JsonSchema>;
  operations: readonly OperationDoc[];
}
