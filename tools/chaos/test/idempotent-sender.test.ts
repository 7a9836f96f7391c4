import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { IdempotentSender, isRetryable } from '../src/idempotent-sender.js';

interface Seen {
  key: string;
  body: string;
}

/** An API stand-in that answers each attempt as the script says, recording what it got. */
async function scriptedApi(script: ((res: ServerResponse, req: IncomingMessage) => void)[]) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      seen.push({ key: String(req.headers['idempotency-key']), body });
      const answer = script[seen.length - 1] ?? ((r: ServerResponse) => r.writeHead(202).end('{}'));
      answer(res, req);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return { url, seen, server };
}

const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

function sender(url: string, over: { giveUpMs?: number; requestTimeoutMs?: number } = {}) {
  const s = new IdempotentSender({ ingestUrl: url, apiKey: 'k', runId: 'r1', ...over });
  closers.push(() => s.close());
  return s;
}

describe('IdempotentSender', () => {
  it('retries a 5xx and a dropped connection with the same key and body until accepted', async () => {
    const api = await scriptedApi([
      (res) => res.writeHead(500).end('{}'),
      (res) => res.socket?.destroy(), // the ingest died mid-request
      (res) => res.writeHead(200).end('{}'), // an earlier attempt had committed
    ]);
    closers.push(() => api.server.close());
    const s = sender(api.url);
    expect(await s.send(7)).toBe(true);
    expect(api.seen).toHaveLength(3);
    expect(new Set(api.seen.map((a) => a.key))).toEqual(new Set(['chaos-r1-7']));
    expect(new Set(api.seen.map((a) => a.body)).size).toBe(1);
    expect(s.errors).toEqual({ '500': 1, connection: 1 });
    expect(s.records[0]).toMatchObject({ index: 7, attempts: 3, acceptedStatus: 200 });
  });

  it('does not retry an answer that is not retryable (4xx other than 429)', async () => {
    const api = await scriptedApi([(res) => res.writeHead(409).end('{}')]);
    closers.push(() => api.server.close());
    const s = sender(api.url);
    expect(await s.send(1)).toBe(false);
    expect(api.seen).toHaveLength(1);
    expect(s.errors).toEqual({ '409': 1 });
    expect(s.records[0]?.acceptedAt).toBeNull();
  });

  it('gives a message up after giveUpMs of failed attempts', async () => {
    const s = sender('http://127.0.0.1:1', { giveUpMs: 300 }); // nothing listens on port 1
    expect(await s.send(2)).toBe(false);
    expect(s.records[0]?.attempts).toBeGreaterThan(1);
    expect(s.errors.connection).toBe(s.records[0]?.attempts);
  });

  it('retries 5xx, 429 and connection errors only', () => {
    expect([500, 503, 429, 'connection' as const].every(isRetryable)).toBe(true);
    expect([400, 401, 409, 422].some(isRetryable)).toBe(false);
  });
});
