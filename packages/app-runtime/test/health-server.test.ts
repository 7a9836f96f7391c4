import { afterEach, describe, expect, it } from 'vitest';
import { type HealthServer, startHealthServer } from '../src/health/health-server.js';

describe('startHealthServer', () => {
  let server: HealthServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });
  const start = async (checks: Record<string, () => Promise<void>>) => {
    server = await startHealthServer({ host: '127.0.0.1', port: 0, checks, logger: { info: () => {} } });
    return server.url;
  };

  it('answers /live 200 and /ready 200 while every check passes', async () => {
    const url = await start({ postgres: async () => {}, redis: async () => {} });
    const live = await fetch(`${url}/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });
  });

  it('answers /ready 503 naming the failing check, never its reason', async () => {
    const url = await start({
      postgres: async () => {},
      redis: async () => {
        throw new Error('connect ECONNREFUSED 10.1.2.3:6379');
      },
    });
    const ready = await fetch(`${url}/ready`);
    expect(ready.status).toBe(503);
    const text = await ready.text();
    expect(JSON.parse(text)).toEqual({
      status: 'not_ready',
      checks: { postgres: 'ok', redis: 'unavailable' },
    });
    expect(text).not.toContain('10.1.2.3');
  });

  it('answers other paths and methods in the error shape', async () => {
    const url = await start({});
    const missing = await fetch(`${url}/metrics`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'not_found' } });
    const post = await fetch(`${url}/ready`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('serves /metrics through the given handler, and only then', async () => {
    server = await startHealthServer({
      host: '127.0.0.1',
      port: 0,
      checks: {},
      logger: { info: () => {} },
      metrics: (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end('maskline_test_total 1\n');
      },
    });
    const scraped = await fetch(`${server.url}/metrics`);
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toBe('maskline_test_total 1\n');
    expect((await fetch(`${server.url}/live`)).status).toBe(200);
  });
});
