/**
 * The bench's webhook receiver: Maskline's "delivered" is the signed `message.status:
 * delivered` webhook reaching it, as Kannel's is its DLR callback. Each request's signature
 * is checked (one HMAC), and the first arrival of each message's `delivered` is noted.
 */
import { createServer, type Server } from 'node:http';
import { verifySignature } from '@maskline/webhooks';

export class WebhookReceiver {
  /** messageId → when its `delivered` webhook first arrived (epoch ms). */
  readonly deliveredAt = new Map<string, number>();
  requests = 0;
  badSignatures = 0;
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
        const header = req.headers['maskline-signature'];
        if (typeof header !== 'string' || !verifySignature(header, raw, [this.secret]).ok) {
          this.badSignatures += 1;
          res.writeHead(400).end();
          return;
        }
        const event = JSON.parse(raw.toString('utf8')) as {
          type?: string;
          data?: { messageId?: string; status?: string };
        };
        const id = event.data?.messageId;
        if (event.type === 'message.status' && event.data?.status === 'delivered' && id) {
          if (!this.deliveredAt.has(id)) this.deliveredAt.set(id, arrived);
        }
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
