import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPluginHttpClient } from '../src/index.js';

describe('createPluginHttpClient', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2_000);
      if (req.url === '/cut') return void req.on('data', () => req.socket.destroy());
      if (req.url === '/big') return void res.end('x'.repeat(10_000));
      if (req.url === '/redirect') {
        res.writeHead(302, { location: '/echo' });
        return void res.end();
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.writeHead(201, { 'content-type': 'application/json', 'x-test': 'yes' });
        res.end(JSON.stringify({ method: req.method, body: Buffer.concat(chunks).toString() }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends the request and returns status, lower-cased headers and body', async () => {
    const http = createPluginHttpClient();
    const answer = await http.request({ method: 'POST', url: `${base}/echo`, body: 'a=1' });
    expect(answer.status).toBe(201);
    expect(answer.headers['x-test']).toBe('yes');
    expect(JSON.parse(answer.body)).toEqual({ method: 'POST', body: 'a=1' });
  });

  it('gives up with carrier_timeout', async () => {
    const http = createPluginHttpClient({ defaultTimeoutMs: 100 });
    await expect(http.request({ method: 'GET', url: `${base}/slow` })).rejects.toMatchObject({
      code: 'carrier_timeout',
    });
  });

  it('answers carrier_unavailable with the system code only when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const http = createPluginHttpClient();
    const error = await http.request({ method: 'GET', url: `http://127.0.0.1:${port}/x` }).catch((e) => e);
    expect(error.code).toBe('carrier_unavailable');
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).not.toContain('127.0.0.1');
    expect(error.details?.inFlight).toBeUndefined();
  });

  it('marks a connection cut after the request was sent as in flight (ambiguous)', async () => {
    const http = createPluginHttpClient();
    const error = await http.request({ method: 'POST', url: `${base}/cut`, body: 'a=1' }).catch((e) => e);
    expect(error.code).toBe('carrier_unavailable');
    expect(error.details).toEqual({ inFlight: true });
  });

  it('cuts a long answer and does not follow redirects', async () => {
    const http = createPluginHttpClient({ maxResponseBytes: 100 });
    expect((await http.request({ method: 'GET', url: `${base}/big` })).body).toHaveLength(100);
    const redirect = await http.request({ method: 'GET', url: `${base}/redirect` });
    expect(redirect.status).toBe(302);
  });
});
