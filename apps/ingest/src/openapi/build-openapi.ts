import { ERROR_CATALOGUE, type ErrorCode } from '@maskline/core';
import { sandboxMayCall } from '../auth/route-scopes.js';
import { errorCodeSchema, errorSchema, headers, parameters } from './openapi-components.js';
import type { JsonSchema, OperationDoc, ResponseDoc, RouteGroupDoc } from './operation-doc.js';

/** Codes any authenticated route can answer (auth, scope, limits, outages). */
const AUTHENTICATED: readonly ErrorCode[] = [
  'unauthorized',
  'forbidden',
  'ip_not_allowed',
  'rate_limited',
  'auth_rate_limited',
  'internal_error',
  'service_unavailable',
];
/**
 * Codes the HTTP layer answers before the route runs: for a body (any method but GET: a
 * body is parsed even where the route reads none), and for a path with parameters (an id
 * too long, not percent-decodable, or a dot segment that makes the path another one, which
 * may exist for other methods only: `POST /v1/masking/numbers/./retire`).
 */
const WITH_BODY: readonly ErrorCode[] = ['invalid_request', 'payload_too_large', 'unsupported_media_type'];
const WITH_PARAMS: readonly ErrorCode[] = [
  'uri_too_long',
  'invalid_request',
  'not_found',
  'method_not_allowed',
];

const header = (name: string) => ({ $ref: `#/components/headers/${name}` });

/** `/v1/messages/:id` -> `/v1/messages/{id}` and its parameter names. */
export function openApiPath(path: string): { path: string; params: string[] } {
  const params: string[] = [];
  const converted = path.replace(/:([A-Za-z]+)/g, (_match, name: string) => {
    params.push(name);
    return `{${name}}`;
  });
  return { path: converted, params };
}

/** The OpenAPI 3.1 document of the given route groups. */
export function buildOpenApi(groups: readonly RouteGroupDoc[], version: string): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const schemas: Record<string, JsonSchema> = { Error: errorSchema, ErrorCode: errorCodeSchema };
  const tags = new Set<string>();
  for (const group of groups) {
    Object.assign(schemas, group.schemas);
    for (const op of group.operations) {
      const { path, params } = openApiPath(op.path);
      const item = paths[path] ?? {};
      if (item[op.method.toLowerCase()]) throw new Error(`${op.method} ${op.path} is described twice`);
      item[op.method.toLowerCase()] = operation(op, params);
      paths[path] = item;
      tags.add(op.tag);
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Maskline ingest API',
      version,
      description: 'Send SMS, mask numbers, verify phones. See docs/reference/api.md for the details.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: '/', description: 'This gateway.' }],
    security: [{ apiKey: [] }],
    tags: [...tags].sort().map((name) => ({ name, description: `${name} routes.` })),
    paths,
    components: {
      schemas,
      headers,
      parameters,
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: '`Authorization: Bearer <api key>`.' },
      },
    },
  };
}

function operation(op: OperationDoc, params: string[]): JsonSchema {
  const hasBody = op.body !== undefined;
  const codes = new Set<ErrorCode>([
    ...op.errors,
    ...(op.public ? [] : AUTHENTICATED),
    // An ml_test_ key is refused every route but sending and reading (docs/guides/sandbox.md).
    ...(op.public || sandboxMayCall(op.method, op.path) ? [] : (['sandbox_unsupported'] as const)),
    ...(op.method !== 'GET' ? WITH_BODY : []),
    ...(params.length > 0 ? WITH_PARAMS : []),
  ]);
  return {
    operationId: op.operationId,
    summary: op.summary,
    tags: [op.tag],
    ...(op.public ? { security: [] } : {}),
    parameters: [
      ...params.map((name) => ({
        name,
        in: 'path',
        required: true,
        schema: { type: 'string', maxLength: 100 },
        description: `The ${name === 'id' ? 'resource' : name} id.`,
      })),
      ...Object.entries(op.query ?? {}).map(([name, q]) => ({
        name,
        in: 'query',
        required: q.required ?? false,
        description: q.description,
        schema: q.schema,
      })),
      ...(op.idempotencyKey ? [{ $ref: '#/components/parameters/IdempotencyKey' }] : []),
      { $ref: '#/components/parameters/XRequestId' },
    ],
    ...(hasBody
      ? {
          requestBody: {
            required: op.bodyOptional !== true,
            content: {
              'application/json': { schema: op.body },
              ...(op.alsoCsv ? { 'text/csv': { schema: { type: 'string' } } } : {}),
            },
          },
        }
      : {}),
    responses: {
      ...Object.fromEntries(
        Object.entries(op.responses).map(([status, doc]) => [status, success(doc, op.public === true)]),
      ),
      ...errorResponses([...codes]),
    },
  };
}

function success(doc: ResponseDoc, isPublic: boolean): JsonSchema {
  return {
    description: doc.description,
    headers: {
      'Request-Id': header('Request-Id'),
      ...(isPublic ? {} : { RateLimit: header('RateLimit'), 'RateLimit-Policy': header('RateLimit-Policy') }),
      ...(doc.location ? { Location: header('Location') } : {}),
    },
    ...(doc.schema ? { content: { 'application/json': { schema: doc.schema } } } : {}),
  };
}

/** One response per status, its body's `code` narrowed to the codes of that status. */
function errorResponses(codes: ErrorCode[]): Record<string, JsonSchema> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = ERROR_CATALOGUE[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const statuses = [...byStatus.keys()].sort((a, b) => a - b);
  return Object.fromEntries(
    statuses.map((status) => {
      const list = byStatus.get(status) ?? [];
      const retry = status === 429 || status === 503;
      return [
        String(status),
        {
          description: list.map((code) => `\`${code}\``).join(', '),
          headers: {
            'Request-Id': header('Request-Id'),
            ...(retry ? { 'Retry-After': header('Retry-After') } : {}),
          },
          content: {
            'application/json': {
              schema: {
                allOf: [
                  { $ref: '#/components/schemas/Error' },
                  { properties: { error: { properties: { code: { enum: list } } } } },
                ],
              },
            },
          },
        },
      ];
    }),
  );
}
