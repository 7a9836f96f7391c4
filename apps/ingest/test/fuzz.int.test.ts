import { readFileSync } from 'node:fs';
import { errorDefinition, isErrorCode } from '@maskline/core';
import { createTestDatabase, seedTenant, type TestDatabase } from '@maskline/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ingestOpenApi } from '../src/openapi/openapi-document.js';
import { type IngestProcess, startIngestProcess } from './support/ingest-process.js';

/**
 * Fuzz of the real ingest process (#19 item 9): every route the API documents, hit with
 * random methods, bodies (JSON of any shape, broken JSON, invalid UTF-8, huge, empty),
 * content types, headers and path ids. Every answer must be a documented one: 2xx or 4xx
 * in the error shape with a code from the catalogue (one its OpenAPI operation lists);
 * never a 5xx, never a hang.
 */
const DOCS = ['../../../docs/reference/api.md', '../../../docs/webhooks.md', '../../../docs/routing.md'];
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
/** States, not faults, that the catalogue answers with a 5xx. */
const DOCUMENTED_5XX = ['pool_exhausted'];

function documentedRoutes(): { method: string; path: string }[] {
  const found = new Map<string, { method: string; path: string }>();
  for (const doc of DOCS) {
    const text = readFileSync(new URL(doc, import.meta.url), 'utf8');
    for (const m of text.matchAll(/\b(GET|POST|PUT|PATCH|DELETE) (\/v1\/[A-Za-z0-9/{}_.-]+)/g)) {
      const [, method, path] = m;
      if (method && path) found.set(`${method} ${path}`, { method, path: path.replace(/\.$/, '') });
    }
  }
  return [...found.values()];
}

const ROUTES = documentedRoutes();

const pathId = fc.oneof(
  fc.uuid(),
  fc.constant('00000000-0000-7000-8000-000000000000'),
  fc.string({ maxLength: 40 }),
  fc.string({ minLength: 150, maxLength: 260 }),
  fc.constantFrom('%', '%zz', '..', '%2e%2e', '%00', 'null', '-1', '😀', '%F0%9F%98'),
);

const body = fc.oneof(
  fc.jsonValue().map((v) => ({ type: 'application/json', data: Buffer.from(JSON.stringify(v)) })),
  fc
    .dictionary(
      fc.constantFrom(
        'to',
        'from',
        'body',
        'url',
        'carrier',
        'prefix',
        'code',
        'mode',
        'participants',
        'number',
      ),
      fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 })),
    )
    .map((v) => ({ type: 'application/json', data: Buffer.from(JSON.stringify(v)) })),
  fc.string().map((s) => ({ type: 'application/json', data: Buffer.from(`{"to":${s}`) })),
  fc.uint8Array({ maxLength: 300 }).map((b) => ({ type: 'application/json', data: Buffer.from(b) })),
  fc.constant({ type: 'application/json', data: Buffer.from('{"body":"\xff\xfe"}', 'latin1') }),
  fc.integer({ min: 60_000, max: 200_000 }).map((n) => ({
    type: 'application/json',
    data: Buffer.from(JSON.stringify({ body: 'x'.repeat(n) })),
  })),
  fc.constantFrom(
    { type: 'text/plain', data: Buffer.from('hello') },
    { type: 'application/x-www-form-urlencoded', data: Buffer.from('to=%2B447911123456&body=hi') },
    { type: 'text/csv', data: Buffer.from('number,country\n+447911123456,GB\n') },
    { type: 'application/json; charset=latin1', data: Buffer.from('{}') },
    { type: 'multipart/form-data; boundary=x', data: Buffer.from('--x--') },
    { type: '', data: Buffer.alloc(0) },
  ),
);

describe('fuzz: every documented route of the real ingest answers only documented errors', () => {
  let db: TestDatabase;
  let ingest: IngestProcess;
  let apiKey = '';

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    ({ apiKey } = await seedTenant(db.pool, 'fuzz tenant'));
    ingest = await startIngestProcess(db, inject('redisUrl'), { RATE_LIMIT_PER_MINUTE: '1000000' });
  }, 60_000);
  afterAll(async () => {
    await ingest?.stop();
    await db?.drop();
  });

  it('finds the documented routes', () => {
    expect(ROUTES.length).toBeGreaterThanOrEqual(30);
    expect(ROUTES).toContainEqual({ method: 'POST', path: '/v1/messages' });
  });

  it('never answers 5xx, never hangs, and every error is in the shape with a catalogue code', async () => {
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        fc.oneof(fc.constant(null), fc.constantFrom(...METHODS)),
        pathId,
        body,
        fc.constantFrom('valid', 'none', 'garbage', 'bearer-empty', 'basic'),
        fc.option(fc.string({ maxLength: 300 }), { nil: undefined }),
        fc.option(fc.string({ maxLength: 200 }), { nil: undefined }),
        fc.option(fc.string({ maxLength: 60 }), { nil: undefined }),
        async (route, otherMethod, id, payload, auth, idempotencyKey, requestId, query) => {
          const method = otherMethod ?? route.method;
          const path = route.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(id).slice(0, 300));
          const url = `${ingest.url}${path}${query === undefined ? '' : `?${encodeURIComponent(query)}=1`}`;
          const headers: Record<string, string> = {};
          if (auth === 'valid') headers.authorization = `Bearer ${apiKey}`;
          if (auth === 'garbage') headers.authorization = `Bearer ml_live_${'x'.repeat(40)}`;
          if (auth === 'bearer-empty') headers.authorization = 'Bearer ';
          if (auth === 'basic') headers.authorization = 'Basic dXNlcjpwYXNz';
          const sendsBody = method !== 'GET' && payload.data.length > 0;
          if (sendsBody && payload.type) headers['content-type'] = payload.type;
          if (idempotencyKey !== undefined) headers['idempotency-key'] = safeHeader(idempotencyKey);
          if (requestId !== undefined) headers['x-request-id'] = safeHeader(requestId);
          const response = await fetch(url, {
            method,
            headers,
            ...(sendsBody ? { body: payload.data } : {}),
            signal: AbortSignal.timeout(10_000),
          });
          const text = await response.text();
          seen.set(response.status, (seen.get(response.status) ?? 0) + 1);
          const where = `${method} ${path} -> ${response.status} ${text.slice(0, 200)}`;
          expect(response.headers.get('request-id'), where).toBeTruthy();
          if (response.status >= 400) {
            const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
            const code = parsed.error?.code;
            expect(isErrorCode(code), where).toBe(true);
            // Asked with its own method, a route answers only codes its OpenAPI operation lists.
            const documented = documentedCodes(route.path, method);
            if (method === route.method && documented) expect(documented, where).toContain(code);
            // A 5xx only as the catalogue documents it for a state, not a fault: an empty
            // pool (pool_exhausted) is 503 with Retry-After. Never internal_error.
            if (response.status >= 500) {
              expect(isErrorCode(code) && errorDefinition(code).status, where).toBe(response.status);
              expect(code, where).not.toBe('internal_error');
              expect(DOCUMENTED_5XX, where).toContain(code);
            }
            expect(typeof parsed.error?.message, where).toBe('string');
            expect(text, where).not.toMatch(/\bat .+\.js:\d+/); // no stack trace
          }
        },
      ),
      {
        numRuns: Number(process.env.FUZZ_RUNS ?? 600),
        seed: Number(process.env.FUZZ_SEED ?? 20261203),
        endOnFailure: true,
      },
    );
    // The run reached past authentication and validation, not only 401s.
    expect([...seen.keys()].some((s) => s >= 200 && s < 300)).toBe(true);
    expect(seen.get(400) ?? 0).toBeGreaterThan(0);
    expect(seen.get(401) ?? 0).toBeGreaterThan(0);
  }, 240_000);

  it('keeps no number or body from the fuzz in its log', () => {
    for (const line of ingest.process.lines) expect(line).not.toContain('447911123456');
  });
});

type ErrorAnswer = {
  content?: { 'application/json'?: { schema?: { allOf?: { properties?: { error?: ErrorProperties } }[] } } };
};
type ErrorProperties = { properties?: { code?: { enum?: string[] } } };
const OPENAPI = ingestOpenApi() as {
  paths: Record<string, Record<string, { responses: Record<string, ErrorAnswer> }>>;
};

/** The error codes the OpenAPI document lists for an operation (undefined: not in it). */
function documentedCodes(path: string, method: string): string[] | undefined {
  const operation = OPENAPI.paths[path]?.[method.toLowerCase()];
  if (!operation) return undefined;
  return Object.values(operation.responses).flatMap(
    (answer) =>
      answer.content?.['application/json']?.schema?.allOf?.[1]?.properties?.error?.properties?.code?.enum ??
      [],
  );
}

/** Header values fetch can send (visible ASCII and spaces, no line breaks). */
function safeHeader(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '').trim() || 'x';
}
