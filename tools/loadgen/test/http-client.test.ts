import { createServer } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../src/http-client.js';

describe('HttpClient', () => {
  const seen: { method: string; url: string; body: string; length: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        body,
        length: req.headers['content-length'] ?? '',
      });
      res.writeHead(req.method === 'POST' ? 202 : 200).end('ok');
    });
  });
  const client = new HttpClient(2);
  afterAll(() => {
    client.close();
    server.close();
  });

  it('sends GETs and POSTs over kept-alive connections and returns the status', async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const sockets = new Set<unknown>();
    server.on('connection', (s) => sockets.add(s));
    const statuses = await Promise.all([
      client.send(`${base}/a?x=1`),
      client.send(`${base}/b`, {
        method: 'POST',
        body: '{"é":1}',
        headers: { 'content-type': 'application/json' },
      }),
      client.send(`${base}/c`),
      client.send(`${base}/d`),
    ]);
    expect(statuses).toEqual([200, 202, 200, 200]);
    expect(seen.find((s) => s.url === '/b')).toMatchObject({ method: 'POST', body: '{"é":1}', length: '8' });
    expect(sockets.size).toBeLessThanOrEqual(2);
  });

  it('aborts a request that gets no answer within timeoutMs', async () => {
    const silent = createServer(() => {}); // never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const timed = new HttpClient(1);
    try {
      await expect(timed.send(`http://127.0.0.1:${port}/`, { timeoutMs: 100 })).rejects.toThrow(/timed out/);
    } finally {
      timed.close();
      silent.closeAllConnections();
      silent.close();
    }
  });
});
