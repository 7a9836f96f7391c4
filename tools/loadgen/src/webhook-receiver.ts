/**
 * The harness's webhook receiver (the bench's and the chaos drill's): Maskline's "delivered"
 * is the signed `message.status: delivered` webhook reaching it, as Kannel's is its DLR
 * callback. Each request's signature is checked (one HMAC), and the first arrival of each
 * message's `delivered` is noted; every verified event is also handed to `onEvent`. A drill
 * can make it fail for a while (`outage`): it then answers 500 or drops the connection.
 */
import { createServer, type Server } from 'node:http';
import { verifySignature } from '@maskline/webhooks';

/** The envelope fields a harness looks at (ids and codes only). */
export interface ReceivedEvent {
  id: string;
  type: string;
  messageId?: string;
  status?: string;
}

/** How the receiver fails while an outage is on: a 500 answer, or the connection dropped unanswered. */
export type ReceiverOutage = 'error-500' | 'drop';

export class WebhookReceiver {
  /** messageId → when its `delivered` webhook first arrived (epoch ms). */
  readonly deliveredAt = new Map<string, number>();
  requests = 0;
  badSignatures = 0;
  /** Requests refused by an outage (answered 500 or dropped), nothing noted for them. */
  refused = 0;
  /** While set, every request is refused this way. */
  outage: ReceiverOutage | null = null;
  /** Called with each verified event the receiver answered 200 for, with its arrival (epoch ms). */
  onEvent: ((event: ReceivedEvent, arrived: number) => void) | null = null;
  /** The endpoint's signing secret, set once the endpoint is created. */
  secret = '';
  port = 0;
  private server: Server | null = null;

  get url(): string {
    return `http://127.0.0.1:${this.port}/bench-hooks`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const arrived = Date.now();
        const raw = Buffer.concat(chunks);
        this.requests += 1;
        if (this.outage !== null) {
          this.refused += 1;
          if (this.outage === 'drop') req.socket.destroy();
          else res.writeHead(500).end();
          return;
        }
        const header = req.headers['maskline-signature'];
        if (typeof header !== 'string' || !verifySignature(header, raw, [this.secret]).ok) {
          this.badSignatures += 1;
          res.writeHead(400).end();
          return;
        }
        const event = JSON.parse(raw.toString('utf8')) as {
          id?: string;
          type?: string;
          data?: { messageId?: string; status?: string };
        };
        const id = event.data?.messageId;
        if (event.type === 'message.status' && event.data?.status === 'delivered' && id) {
          if (!this.deliveredAt.has(id)) this.deliveredAt.set(id, arrived);
        }
        this.onEvent?.(
          { id: event.id ?? '', type: event.type ?? '', messageId: id, status: event.data?.status },
          arrived,
        );
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
  }

  /**
   * Creates the tenant's endpoint for `message.status` pointing here, through the API, and
   * keeps its secret. maxConcurrency 64: the most requests at once the API allows (default 4).
   */
  async subscribe(ingestUrl: string, apiKey: string): Promise<void> {
    const response = await fetch(`${ingestUrl}/v1/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: this.url, eventTypes: ['message.status'], maxConcurrency: 64 }),
    });
    const body = (await response.json()) as { secret?: string };
    if (response.status !== 201 || !body.secret)
      throw new Error(`webhook endpoint not created: ${response.status}`);
    this.secret = body.secret;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
