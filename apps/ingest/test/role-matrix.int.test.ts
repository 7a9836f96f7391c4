import { readFileSync } from 'node:fs';
import { ROLE_SCOPES, USER_ROLES, type UserRole } from '@maskline/core';
import { createTestDatabase, seedTenant, type TestDatabase } from '@maskline/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ROUTE_SCOPES } from '../src/auth/route-scopes.js';
import { type IngestProcess, startIngestProcess } from './support/ingest-process.js';
import { bearerCall, type SignedInUser, signedInUser } from './support/signed-in-users.js';

const SOME_ID = '01a23b63-0000-7000-8000-000000000000';

/**
 * Every role x every /v1 route, through HTTP against the real ingest process: a user of each
 * role signs in (password + TOTP) and calls every route; a route its role's scopes do not
 * cover answers 403 `forbidden` naming the scope, any other never does.
 */
describe('role x route permission matrix (real ingest process)', () => {
  let db: TestDatabase;
  let ingest: IngestProcess;
  let tenantId = '';
  const users = new Map<UserRole, SignedInUser>();

  const call = bearerCall(() => ingest.url);

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    ({ tenantId } = await seedTenant(db.pool));
    ingest = await startIngestProcess(db, inject('redisUrl'));
    for (const role of USER_ROLES) users.set(role, await signedInUser(db, call, tenantId, role));
  }, 60_000);
  afterAll(async () => {
    await ingest?.stop();
    await db?.drop();
  });

  it('allows exactly the routes of each role and refuses every other with 403 forbidden', async () => {
    const routes = Object.entries(ROUTE_SCOPES);
    expect(routes.length).toBeGreaterThan(50);
    const wrong: string[] = [];
    let allowed = 0;
    let denied = 0;
    for (const role of USER_ROLES) {
      const { token } = users.get(role)!;
      for (const [route, scope] of routes) {
        const [method = '', template = ''] = route.split(' ');
        const path = template.replace(/:[a-zA-Z]+/g, SOME_ID);
        const body = ['POST', 'PUT', 'PATCH'].includes(method) ? {} : undefined;
        const answer = await call(method, path, body, token);
        const error = answer.body.error as { code?: string; details?: { scope?: string } } | undefined;
        const refused = answer.status === 403 && error?.code === 'forbidden';
        const mayCall = ROLE_SCOPES[role].includes(scope);
        if (mayCall) allowed += 1;
        else denied += 1;
        // 503 pool_exhausted is the right answer of a reserve on this test's empty pool.
        const broken = answer.status >= 500 && error?.code !== 'pool_exhausted';
        if (mayCall && (refused || answer.status === 401 || broken)) {
          wrong.push(`${role} ${route}: allowed by ${scope} but answered ${answer.status} ${error?.code}`);
        }
        if (!mayCall && !(refused && error?.details?.scope === scope)) {
          wrong.push(`${role} ${route}: needs ${scope} but answered ${answer.status} ${error?.code}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(allowed + denied).toBe(routes.length * USER_ROLES.length);
    // The analyst and the auditor are refused almost everything; the owner nothing.
    expect(denied).toBeGreaterThan(routes.length * 2);
  }, 120_000);

  it('documents each role with exactly its scopes (docs/reference/roles.md)', () => {
    const doc = readFileSync(new URL('../../../docs/reference/roles.md', import.meta.url), 'utf8');
    for (const role of USER_ROLES) {
      const row = doc.split('\n').find((line) => line.startsWith(`| \`${role}\``));
      expect(row, role).toBeDefined();
      const documented = [...(row ?? '').matchAll(/`([a-z]+:[a-z]+)`/g)].map((m) => m[1]).sort();
      expect(documented, role).toEqual([...ROLE_SCOPES[role]].sort());
    }
  });

  it('keeps an audit trail naming the user: the auditor reads it, a developer may not', async () => {
    const owner = users.get('owner')!;
    const created = await call(
      'POST',
      '/v1/users',
      { email: 'new.dev@example.com', role: 'developer' },
      owner.token,
    );
    expect(created.status).toBe(201);
    const auditor = users.get('auditor')!;
    const log = await call('GET', '/v1/audit-events?action=user.created', undefined, auditor.token);
    expect(log.status).toBe(200);
    const actors = (log.body.data as { actor: string; subject: string }[]).map((e) => e.actor);
    expect(actors).toContain(`user:${owner.id}`);
    const developer = users.get('developer')!;
    expect((await call('GET', '/v1/audit-events', undefined, developer.token)).status).toBe(403);
  });
});
