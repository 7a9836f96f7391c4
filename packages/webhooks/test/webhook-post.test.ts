import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EndpointAgents } from '../src/dispatch/endpoint-agents.js';
import { postWebhook } from '../src/webhook-post.js';

let server: Server | null = null;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
});

async function listen(handler: (req: IncomingMessage, res: import('node:http').ServerResponse) => void) {
  server = createServer(handler);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const loopback = [{ address: '127.0.0.1', family: 4 as const }];

describe('postWebhook', () => {
  it('connects to the vetted address, not to what the name resolves to (no rebinding gap)', async () => {
    const seen: { host?: string; body: string }[] = [];
    const port = await listen((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ host: req.headers.host, body });
        res.writeHead(204).end();
      });
    });
    // `.invalid` never resolves in DNS: the request can only arrive through the pinned lookup.
    const url = new URL(`http://rebind.invalid:${port}/hook`);
    const result = await postWebhook(
      { url, host: url.hostname, addresses: loopback },
      '{"a":1}',
      { x: 'y' },
      2000,
    );
    expect(result).toMatchObject({ status: 204, errorClass: null });
    expect(seen).toEqual([{ host: `rebind.invalid:${port}`, body: '{"a":1}' }]);
  });

  it('does not follow redirects', async () => {
    let hits = 0;
    const port = await listen((_req, res) => {
      hits += 1;
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' }).end();
    });
    const url = new URL(`http://127.0.0.1:${port}/`);
    const result = await postWebhook({ url, host: '127.0.0.1', addresses: loopback }, '{}', {}, 2000);
    expect(result).toMatchObject({ status: 302, errorClass: 'redirect' });
    expect(hits).toBe(1);
  });

  it('classes a slow receiver as timeout and a closed port as connect_refused', async () => {
    const port = await listen(() => {});
    const url = new URL(`http://127.0.0.1:${port}/`);
    const slow = await postWebhook({ url, host: '127.0.0.1', addresses: loopback }, '{}', {}, 200);
    expect(slow).toMatchObject({ status: null, errorClass: 'timeout' });
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    server = null;
    const refused = await postWebhook({ url, host: '127.0.0.1', addresses: loopback }, '{}', {}, 2000);
    expect(refused).toMatchObject({ status: null, errorClass: 'connect_refused' });
  });

  it('keeps the connection for the next POST with an endpoint agent', async () => {
    let connections = 0;
    const port = await listen((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200).end('ok'));
    });
    server?.on('connection', () => (connections += 1));
    const url = new URL(`http://127.0.0.1:${port}/`);
    const target = { url, host: '127.0.0.1', addresses: loopback };
    const agents = new EndpointAgents();
    const agent = agents.for('endpoint-1', target, 1);
    for (let i = 0; i < 3; i++) {
      expect(await postWebhook(target, '{}', {}, 2000, agent)).toMatchObject({ status: 200 });
    }
    expect(connections).toBe(1);
    agents.close();
  });

  it('opens no more connections than the endpoint allows, and reuses them', async () => {
    let open = 0;
    let connections = 0;
    let most = 0;
    const port = await listen((req, res) => {
      req.resume();
      open += 1;
      most = Math.max(most, open);
      // Held a moment, so concurrent POSTs overlap at the receiver.
      setTimeout(() => {
        open -= 1;
        res.writeHead(204).end();
      }, 20);
    });
    server?.on('connection', () => (connections += 1));
    const url = new URL(`http://127.0.0.1:${port}/`);
    const target = { url, host: '127.0.0.1', addresses: loopback };
    const agents = new EndpointAgents();
    const pool = agents.for('endpoint-1', target, 2);
    const results = await Promise.all(
      Array.from({ length: 6 }, () => postWebhook(target, '{}', {}, 2000, pool)),
    );
    expect(results.every((r) => r.status === 204)).toBe(true);
    expect(most).toBe(2);
    expect(connections).toBe(2);
    agents.close();
  });

  it('retries once on a fresh connection when the receiver closed the kept one', async () => {
    let connections = 0;
    const served = new WeakSet<object>();
    const port = await listen((req, res) => {
      req.resume();
      // Its idle timer fired as the next POST arrived: a kept connection dies unanswered.
      if (served.has(req.socket)) {
        req.socket.destroy();
        return;
      }
      served.add(req.socket);
      req.on('end', () => res.writeHead(204).end());
    });
    server?.on('connection', () => (connections += 1));
    const url = new URL(`http://127.0.0.1:${port}/`);
    const target = { url, host: '127.0.0.1', addresses: loopback };
    const agents = new EndpointAgents();
    const agent = agents.for('endpoint-1', target, 1);
    expect(await postWebhook(target, '{}', {}, 2000, agent)).toMatchObject({ status: 204 });
    expect(await postWebhook(target, '{}', {}, 2000, agent)).toMatchObject({ status: 204, errorClass: null });
    expect(connections).toBe(2);
    agents.close();
  });

  it('closes the connection of an answer longer than it reads', async () => {
    let connections = 0;
    const port = await listen((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(500).end('x'.repeat(256 * 1024)));
    });
    server?.on('connection', () => (connections += 1));
    const url = new URL(`http://127.0.0.1:${port}/`);
    const target = { url, host: '127.0.0.1', addresses: loopback };
    const agents = new EndpointAgents();
    const agent = agents.for('endpoint-1', target, 1);
    expect(await postWebhook(target, '{}', {}, 2000, agent)).toMatchObject({
      status: 500,
      errorClass: 'http_500',
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await postWebhook(target, '{}', {}, 2000, agent)).toMatchObject({ status: 500 });
    expect(connections).toBe(2);
    agents.close();
  });

  it('takes back a kept connection whose answer stalls after the status, within the timeout', async () => {
    let requests = 0;
    const port = await listen((req, res) => {
      req.resume();
      requests += 1;
      // The first answer sends its status and part of its body, then never ends.
      if (requests === 1) res.writeHead(200, { 'content-length': '100' }).write('partial');
      else req.on('end', () => res.writeHead(204).end());
    });
    const url = new URL(`http://127.0.0.1:${port}/`);
    const target = { url, host: '127.0.0.1', addresses: loopback };
    const agents = new EndpointAgents();
    const agent = agents.for('endpoint-1', target, 1);
    expect(await postWebhook(target, '{}', {}, 300, agent)).toMatchObject({ status: 200 });
    // The endpoint's one connection slot is free again once the first exchange's time is up.
    expect(await postWebhook(target, '{}', {}, 2000, agent)).toMatchObject({ status: 204, errorClass: null });
    agents.close();
  });
});
