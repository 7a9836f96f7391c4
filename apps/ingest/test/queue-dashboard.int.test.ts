import { createTestDatabase, seedTenant, type TestDatabase } from '@maskline/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dashboardQueueNames } from '../src/admin/dashboard-queues.js';
import { type IngestProcess, startIngestProcess } from './support/ingest-process.js';
import { bearerCall, type SignedInUser, signedInUser } from './support/signed-in-users.js';

const RAW_TO = '+447911123461';
const RAW_BODY = 'Dashboard canary body 8812';

/**
 * Bull Board on /admin/queues (QUEUE_DASHBOARD=on), against the real ingest process, real
 * PostgreSQL and Redis: only an owner's or admin's session opens it, every queue is listed,
 * it is read-only, and a real job's number and body appear nowhere in what it serves.
 */
describe('queue dashboard (real ingest process)', () => {
  let db: TestDatabase;
  let ingest: IngestProcess;
  let apiKey = '';
  let admin: SignedInUser;
  let owner: SignedInUser;
  let analyst: SignedInUser;
  let developer: SignedInUser;
  let otherTenantAdmin: SignedInUser;
  let messageId = '';
  const call = bearerCall(() => ingest.url);

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${ingest.url}${path}`, { headers, redirect: 'manual' });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    let tenantId = '';
    ({ apiKey, tenantId } = await seedTenant(db.pool));
    const other = await seedTenant(db.pool);
    // Only the operator's tenant (the first) may open it.
    ingest = await startIngestProcess(db, inject('redisUrl'), {
      QUEUE_DASHBOARD: 'on',
      QUEUE_DASHBOARD_TENANT: tenantId,
      AUTH_FAILURE_LIMIT_PER_MINUTE: '15',
    });
    admin = await signedInUser(db, call, tenantId, 'admin');
    owner = await signedInUser(db, call, tenantId, 'owner');
    analyst = await signedInUser(db, call, tenantId, 'analyst');
    developer = await signedInUser(db, call, tenantId, 'developer');
    otherTenantAdmin = await signedInUser(db, call, other.tenantId, 'admin');
    // A real job: the message waits in deliver-sim (no delivery worker runs here).
    const sent = await ingest.send(apiKey, { to: RAW_TO, from: 'Maskline', body: RAW_BODY });
    expect(sent.status).toBe(202);
    messageId = String(sent.body.id);
  }, 90_000);
  afterAll(async () => {
    await ingest?.stop();
    await db?.drop();
  });

  it('answers 401 without a session, and to an unknown session token', async () => {
    for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
      const none = await get(path);
      expect(none.status).toBe(401);
      expect(((await none.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
      expect((await get(path, bearer('ml_sess_notarealsession000000000000'))).status).toBe(401);
    }
  });

  it("answers 403 admin_role_required to an analyst, a developer, any API key and another tenant's admin", async () => {
    for (const token of [analyst.token, developer.token, apiKey, otherTenantAdmin.token]) {
      const answer = await get('/admin/queues/api/queues', bearer(token));
      expect(answer.status).toBe(403);
      expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('admin_role_required');
    }
  });

  it('lists every queue to an admin and an owner, and serves the UI', async () => {
    for (const user of [admin, owner]) {
      const answer = await get('/admin/queues/api/queues', bearer(user.token));
      expect(answer.status).toBe(200);
      expect(answer.headers.get('cache-control')).toBe('no-store');
      const { queues } = (await answer.json()) as { queues: { name: string }[] };
      expect(queues.map((q) => q.name).sort()).toEqual(dashboardQueueNames(['sim']).sort());
    }
    const ui = await get('/admin/queues', bearer(admin.token));
    expect(ui.status).toBe(200);
    expect(ui.headers.get('content-type')).toContain('text/html');
  });

  it('shows the real job by ids only: no number or body anywhere in the board API', async () => {
    const list = await get(
      '/admin/queues/api/queues?activeQueue=deliver-sim&status=latest&page=1&jobsPerPage=50',
      bearer(admin.token),
    );
    const listText = await list.text();
    expect(list.status).toBe(200);
    expect(listText).toContain(messageId);
    const { queues } = JSON.parse(listText) as { queues: { name: string; jobs: { id: string }[] }[] };
    const jobId = queues.find((q) => q.name === 'deliver-sim')?.jobs[0]?.id;
    expect(jobId).toBeTruthy();
    const job = await get(`/admin/queues/api/queues/deliver-sim/${jobId}`, bearer(admin.token));
    expect(job.status).toBe(200);
    const jobText = await job.text();
    expect(jobText).toContain(messageId);
    for (const text of [listText, jobText]) {
      expect(text).not.toContain(RAW_TO);
      expect(text).not.toContain(RAW_TO.slice(1));
      expect(text).not.toContain(RAW_BODY);
    }
  });

  it('is read-only: an admin cannot pause, clean or empty a queue', async () => {
    for (const path of ['pause', 'empty', 'clean/waiting']) {
      const answer = await fetch(`${ingest.url}/admin/queues/api/queues/deliver-sim/${path}`, {
        method: path === 'empty' ? 'DELETE' : 'PUT',
        headers: bearer(admin.token),
      });
      expect(answer.status, path).toBeGreaterThanOrEqual(400);
    }
    const after = await get('/admin/queues/api/queues', bearer(admin.token));
    const { queues } = (await after.json()) as {
      queues: { name: string; isPaused: boolean; counts: Record<string, number> }[];
    };
    const deliver = queues.find((q) => q.name === 'deliver-sim');
    expect(deliver?.isPaused).toBe(false);
    expect(deliver?.counts.waiting ?? 0).toBeGreaterThanOrEqual(1);
  });

  it('lets a browser in with the cookie POST /admin/queues/session sets, and only with it', async () => {
    const refused = await fetch(`${ingest.url}/admin/queues/session`, {
      method: 'POST',
      headers: bearer(analyst.token),
    });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('set-cookie')).toBeNull();

    const made = await fetch(`${ingest.url}/admin/queues/session`, {
      method: 'POST',
      headers: bearer(admin.token),
    });
    expect(made.status).toBe(204);
    const setCookie = made.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(
      /^ml_queues=[^;]+; Path=\/admin\/queues; Max-Age=900; HttpOnly; Secure; SameSite=Strict$/,
    );
    expect(setCookie).not.toContain(admin.token);
    const cookie = setCookie.split(';')[0] ?? '';
    expect((await get('/admin/queues/api/queues', { cookie })).status).toBe(200);
    // The cookie opens the board but does not renew itself.
    const renew = await fetch(`${ingest.url}/admin/queues/session`, { method: 'POST', headers: { cookie } });
    expect(renew.status).toBe(401);
    expect(renew.headers.get('set-cookie')).toBeNull();

    // A tampered cookie is nobody's.
    const tampered = cookie.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect((await get('/admin/queues/api/queues', { cookie: tampered })).status).toBe(401);

    // The sign-in form posts the token as a field and lands on the board.
    const form = await fetch(`${ingest.url}/admin/queues/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: owner.token }).toString(),
      redirect: 'manual',
    });
    expect(form.status).toBe(303);
    expect(form.headers.get('location')).toBe('/admin/queues/');
    expect(form.headers.get('set-cookie')).toContain('HttpOnly');
    const landing = await get('/admin/queues/', {
      cookie: form.headers.get('set-cookie')?.split(';')[0] ?? '',
    });
    expect(landing.status).toBe(200);
    const page = await get('/admin/queues/sign-in');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('action="/admin/queues/session"');

    // Signing out of the API ends the cookie's access too: the session is checked every time.
    expect((await call('POST', '/v1/auth/sign-out', undefined, admin.token)).status).toBeLessThan(300);
    expect((await get('/admin/queues/api/queues', { cookie })).status).toBe(401);
  });

  it('counts failed attempts towards the per-address authentication throttle', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 16; i += 1) {
      statuses.push(
        (await get('/admin/queues/api/queues', bearer(`ml_sess_guess${i}0000000000000000`))).status,
      );
    }
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
  });
});
