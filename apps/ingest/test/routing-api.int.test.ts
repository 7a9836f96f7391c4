import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Routing at accept through the real ingest app, routes and policies in real PostgreSQL. */
describe('routing API and routing at accept (real Redis and PostgreSQL)', () => {
  let host: TestApp;

  beforeAll(async () => {
    host = await startTestApp({
      rateLimitPerMinute: 10_000,
      carriers: [
        { id: 'sim', regions: ['eu'] },
        { id: 'alpha', regions: ['eu'] },
        { id: 'beta', regions: ['eu', 'uk'] },
        { id: 'usa', regions: ['us'] },
      ],
    });
  });
  afterAll(async () => {
    await host.close();
  });

  const auth = () => ({ authorization: `Bearer ${host.apiKey}` });
  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) =>
    host.app.inject({ method, url, headers: auth(), ...(payload ? { payload } : {}) });
  const send = (to: string, extra: object = {}) =>
    call('POST', '/v1/messages', { to, from: 'Maskline', body: 'routing test body', ...extra });

  async function jobCarrierOf(id: string): Promise<string | null> {
    await host.flushJobs();
    const { rows } = await host.db.pool.query(
      'SELECT carrier_id, delivery_job_id FROM messages WHERE id = $1',
      [id],
    );
    const { carrier_id: carrier, delivery_job_id: jobId } = rows[0];
    const job = await host.queues.queueFor(carrier).getJob(jobId);
    const data = (job?.data ?? {}) as { messageIds?: string[] };
    return data.messageIds?.includes(id) ? carrier : null;
  }

  async function clear() {
    await host.db.pool.query('DELETE FROM routes; DELETE FROM carrier_prices; DELETE FROM tenant_residency');
    await host.routes.refresh();
  }

  it('with no routes, the default carrier serves (route null) and kind defaults to transactional', async () => {
    await clear();
    const res = await send('+447911123456');
    expect(res.statusCode).toBe(202);
    const view = (await call('GET', `/v1/messages/${res.json().id}`)).json();
    expect(view).toMatchObject({ carrier: 'sim', route: null, kind: 'transactional' });
    expect(await jobCarrierOf(res.json().id)).toBe('sim');
  });

  it('routes by prefix (longest wins) onto each carrier’s queue, shown on GET', async () => {
    await clear();
    const uk = await call('POST', '/v1/routes', { prefix: '+44', carrier: 'alpha' });
    expect(uk.statusCode).toBe(201);
    expect(uk.json()).toMatchObject({
      scope: 'tenant',
      prefix: '44',
      carrier: 'alpha',
      strategy: 'priority',
    });
    const mobile = (await call('POST', '/v1/routes', { prefix: '4479', carrier: 'beta' })).json();
    const [a, b] = await Promise.all([send('+447911123456'), send('+442071838750')]);
    expect(a.statusCode).toBe(202);
    expect(b.statusCode).toBe(202);
    expect(await jobCarrierOf(a.json().id)).toBe('beta');
    expect(await jobCarrierOf(b.json().id)).toBe('alpha');
    const view = (await call('GET', `/v1/messages/${a.json().id}`)).json();
    expect(view.route).toEqual({ id: mobile.id, carrier: 'beta', price: null });
    const list = (await call('GET', '/v1/routes')).json();
    expect(list.data.map((r: { carrier: string }) => r.carrier).sort()).toEqual(['alpha', 'beta']);
  });

  it('routes by least cost from the price table and records the price', async () => {
    await clear();
    await host.db.pool.query(
      `INSERT INTO carrier_prices (carrier_id, prefix, price_micros, currency)
       VALUES ('alpha', '44', 30000, 'EUR'), ('beta', '44', 20000, 'EUR'), ('beta', '4420', 50000, 'EUR')`,
    );
    await call('POST', '/v1/routes', { country: 'GB', carrier: 'alpha', strategy: 'least_cost' });
    await call('POST', '/v1/routes', { country: 'GB', carrier: 'beta', strategy: 'least_cost' });
    // libphonenumber places +447911 in Guernsey (GG): a GB mobile range here.
    const mobile = await send('+447400123456');
    const london = await send('+442071838750');
    expect(await jobCarrierOf(mobile.json().id)).toBe('beta');
    expect(await jobCarrierOf(london.json().id)).toBe('alpha');
    const view = (await call('GET', `/v1/messages/${mobile.json().id}`)).json();
    expect(view.route.price).toEqual({ micros: 20000, currency: 'EUR' });
    const prices = (await call('GET', '/v1/carrier-prices')).json();
    expect(prices.data).toContainEqual({
      carrier: 'beta',
      prefix: '44',
      priceMicros: 20000,
      currency: 'EUR',
    });
  });

  it('routes by kind and answers no_route when nothing matches', async () => {
    await clear();
    await call('POST', '/v1/routes', { kind: 'otp', carrier: 'alpha' });
    const otp = await send('+447911123456', { kind: 'otp' });
    expect(await jobCarrierOf(otp.json().id)).toBe('alpha');
    const other = await send('+447911123456', { kind: 'marketing' });
    expect(other.statusCode).toBe(422);
    expect(other.json().error.code).toBe('no_route');
  });

  it('refuses a residency violation with 422 and audits it without the number', async () => {
    await clear();
    await call('POST', '/v1/routes', { carrier: 'usa' });
    const policy = await call('PUT', '/v1/routing/residency', { allowedRegions: ['eu'] });
    expect(policy.json()).toEqual({ allowedRegions: ['eu'] });
    const res = await send('+447911123456');
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('route_residency_violation');
    expect(JSON.stringify(res.json())).not.toContain('7911123456');
    const audited = await host.db.vault.audit.list({ action: 'message.route_residency_violation' });
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ tenantId: host.tenantId });
    expect(JSON.stringify(audited)).not.toContain('7911123456');
    const changes = await host.db.vault.audit.list({ action: 'routing.residency_set' });
    expect(changes).toHaveLength(1);
    // A route inside the region serves again.
    await call('POST', '/v1/routes', { carrier: 'beta', priority: 200 });
    const ok = await send('+447911123456');
    expect(ok.statusCode).toBe(202);
    expect(await jobCarrierOf(ok.json().id)).toBe('beta');
    expect((await call('DELETE', '/v1/routing/residency')).statusCode).toBe(204);
    expect((await call('GET', '/v1/routing/residency')).json()).toEqual({ allowedRegions: null });
  });

  it('updates and deletes its own routes; bad input gets a stable code', async () => {
    await clear();
    const created = (await call('POST', '/v1/routes', { prefix: '44', carrier: 'alpha' })).json();
    const updated = await call('PUT', `/v1/routes/${created.id}`, {
      prefix: '44',
      carrier: 'beta',
      enabled: false,
    });
    expect(updated.json()).toMatchObject({ carrier: 'beta', enabled: false });
    expect((await call('DELETE', `/v1/routes/${created.id}`)).statusCode).toBe(204);
    expect((await call('DELETE', `/v1/routes/${created.id}`)).json().error.code).toBe('route_not_found');
    const unknown = await call('POST', '/v1/routes', { carrier: 'nope' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error).toMatchObject({ code: 'invalid_request', details: { field: 'carrier' } });
    const badKind = await send('+447911123456', { kind: 'masking_relay' });
    expect(badKind.json().error).toMatchObject({ code: 'invalid_request', details: { field: 'kind' } });
  });
});
