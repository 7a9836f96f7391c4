import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
  status: number;
}

/**
 * A real HTTP receiver for webhook tests: records every request (headers, raw body) and
 * answers with the next scripted status (then `thereafter`).
 */
export class TestReceiver {
  readonly received: ReceivedWebhook[] = [];
  private server: Server | null = null;
  port = 0;
  /** Requests that arrive while this is > 0 are held this long before the answer. */
  holdMs = 0;

  constructor(
    private script: number[] = [],
    private thereafter = 200,
  ) {}

  answer(script: number[], thereafter = 200): void {
    this.script = [...script];
    this.thereafter = thereafter;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  /** Listens on 127.0.0.1, on `port` or a free one. */
  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const status = this.script.shift() ?? this.thereafter;
        this.received.push({
          path: req.url ?? '',
          headers: req.headers,
          rawBody: Buffer.concat(chunks).toString('utf8'),
          status,
        });
        const answer = () => void (res.destroyed || res.writeHead(status).end());
        if (this.holdMs > 0) setTimeout(answer, this.holdMs);
        else answer();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async waitFor(count: number, timeoutMs = 20_000): Promise<ReceivedWebhook[]> {
    const until = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (Date.now() > until) throw new Error(`receiver got ${this.received.length} of ${count} webhooks`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.received;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
