import { describe, expect, it } from 'vitest';
import { buildOpenApi, openApiPath } from '../src/openapi/build-openapi.js';
import type { OperationDoc } from '../src/openapi/operation-doc.js';

const get: OperationDoc = {
  method: 'GET',
  path: '/v1/things/:id',
  operationId: 'getThing',
  summary: 'Get a thing',
  tag: 'Things',
  responses: { 200: { description: 'The thing.', schema: { type: 'object' } } },
  errors: ['message_not_found'],
};

type Op = {
  security?: unknown;
  responses: Record<string, { content?: unknown; headers: Record<string, unknown> }>;
};
const opOf = (doc: Record<string, unknown>, path: string, method: string) =>
  (doc.paths as Record<string, Record<string, Op>>)[path]?.[method] as Op;
const codesOf = (op: Op, status: string) => {
  const content = op.responses[status]?.content as { 'application/json': { schema: { allOf: unknown[] } } };
  return content['application/json'].schema.allOf[1];
};

describe('buildOpenApi', () => {
  it('turns fastify paths into OpenAPI templates with their parameter names', () => {
    expect(openApiPath('/v1/webhooks/:id/events/:eventId/redeliver')).toEqual({
      path: '/v1/webhooks/{id}/events/{eventId}/redeliver',
      params: ['id', 'eventId'],
    });
  });

  it('answers per status the route’s codes and those every authenticated route has', () => {
    const op = opOf(buildOpenApi([{ operations: [get] }], '1.0.0'), '/v1/things/{id}', 'get');
    expect(codesOf(op, '404')).toEqual({
      properties: { error: { properties: { code: { enum: ['message_not_found', 'not_found'] } } } },
    });
    expect(Object.keys(op.responses)).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '405',
      '414',
      '429',
      '500',
      '503',
    ]);
    expect(Object.keys(op.responses['429']?.headers ?? {})).toEqual(['Request-Id', 'Retry-After']);
    expect(Object.keys(op.responses['200']?.headers ?? {})).toEqual([
      'Request-Id',
      'RateLimit',
      'RateLimit-Policy',
    ]);
  });

  it('a public route has no security and no auth or rate-limit answers', () => {
    const doc = buildOpenApi(
      [{ operations: [{ ...get, path: '/v1/open', public: true, errors: [] }] }],
      '1.0.0',
    );
    const op = opOf(doc, '/v1/open', 'get');
    expect(op.security).toEqual([]);
    expect(Object.keys(op.responses)).toEqual(['200']);
  });

  it('refuses a route described twice', () => {
    expect(() => buildOpenApi([{ operations: [get] }, { operations: [get] }], '1.0.0')).toThrow(
      /GET \/v1\/things\/:id is described twice/,
    );
  });
});
