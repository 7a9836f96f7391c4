import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { segmentInfo } from '@maskline/core';

/** A message the fake accepted. */
export interface FakeJsonMessage {
  id: string;
  to: string;
  from: string;
  text: string;
  reference: string;
  /** Where the fake POSTs this message's receipts; '' for none. */
  callbackUrl: string;
}

/** One receipt the fake POSTed, and what the receiver answered (0: no answer). */
export interface FakeJsonReceiptResult {
  id: string;
  state: string;
  httpStatus: number;
}

/** A signed JSON POST as the fake would make it. */
export interface FakeJsonRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface FakeJsonApiOptions {
  apiKey: string;
  signingKey: string;
  /** Destinations the fake reports FAILED (error "E30"); default: ending in 9. */
  undeliverable?: (to: string) => boolean;
  /** Pause before each receipt. */
  callbackDelayMs?: number;
  /** POST receipts to each message's callback_url (default true). */
  sendReceipts?: boolean;
}

export const FAKE_SIGNATURE_HEADER = 'x-fake-signature';

/** The provider's final states for each outcome the testkit asks for. */
export const FAKE_STATE = {
  delivered: 'DELIVERED',
  undeliverable: 'FAILED',
  expired: 'EXPIRED',
  rejected: 'REJECTED',
  enroute: 'SENT',
  unknown: 'LIMBO',
} as const;

/** The `http-json` carrier config that matches this fake's API at `baseUrl`. */
export function fakeJsonApiConfig(baseUrl: string) {
  return {
    request: {
      url: `${baseUrl}/v1/sms`,
      apiKeyHeader: { name: 'authorization', prefix: 'Bearer ' },
      body: {
        recipient: '{{to}}',
        sender: '{{from}}',
        text: '{{body}}',
        reference: '{{messageId}}',
        callback_url: '{{statusCallbackUrl}}',
      },
    },
    response: { idPointer: '/data/id', segmentsPointer: '/data/parts', errorCodePointer: '/error/code' },
    receipts: {
      path: '/receipts',
      idPointer: '/data/id',
      statusPointer: '/data/state',
      errorCodePointer: '/data/error',
      outcomes: {
        SENT: 'enroute',
        DELIVERED: 'delivered',
        FAILED: 'undeliverable',
        EXPIRED: 'expired',
        REJECTED: 'rejected',
      },
      signature: { header: FAKE_SIGNATURE_HEADER, prefix: 'sha256=' },
    },
  };
}

/**
 * A local JSON SMS API in the shape of fakeJsonApiConfig: `POST /v1/sms` with a Bearer API
 * key and `{recipient, sender, text, reference, callback_url}` answers 201
 * `{"data":{"id","parts"}}`, then POSTs receipts (`SENT`, then `DELIVERED` or `FAILED`)
 * signed `sha256=<hex HMAC-SHA256 of the body>` to callback_url. Switches make it refuse
 * the next send (`{"error":{"code"}}`, Retry-After on 429) or take sends without answering.
 * It signs with its own code (not the plugin's), so tests check one against the other.
 */
export class FakeJsonApi {
  readonly messages: FakeJsonMessage[] = [];
  readonly receipts: FakeJsonReceiptResult[] = [];
  #next = 0;
  #failNext: number | undefined;
  #stalled = false;
  readonly #held: ServerResponse[] = [];

  private constructor(
    private readonly server: Server,
    private readonly options: FakeJsonApiOptions,
  ) {}

  static async start(options: FakeJsonApiOptions): Promise<FakeJsonApi> {
    let api: FakeJsonApi | undefined;
    const server = createServer((req, res) => void api!.handle(req, res));
    api = new FakeJsonApi(server, options);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return api;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Refuse the next send with this HTTP status. */
  failNext(status: number): void {
    this.#failNext = status;
  }

  /** While on, sends are taken and never answered. */
  stall(on: boolean): void {
    this.#stalled = on;
  }

  async close(): Promise<void> {
    for (const res of this.#held.splice(0)) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The signature of a receipt body, computed here on its own. */
  sign(body: string): string {
    return `sha256=${createHmac('sha256', this.options.signingKey).update(body).digest('hex')}`;
  }

  /** The signed receipt POST for message `id` in `state` (not sent). */
  receiptRequest(url: string, id: string, state: string): FakeJsonRequest {
    const body = JSON.stringify({
      event: 'message.status',
      data: { id, state, ...(state === 'FAILED' ? { error: 'E30' } : {}), at: new Date().toISOString() },
    });
    return {
      url,
      headers: { 'content-type': 'application/json', [FAKE_SIGNATURE_HEADER]: this.sign(body) },
      body,
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST' || req.url !== '/v1/sms') return answer(res, 404, error('not_found'));
    if (req.headers.authorization !== `Bearer ${this.options.apiKey}`)
      return answer(res, 401, error('unauthorized'));
    if (this.#stalled) {
      this.#held.push(res);
      return;
    }
    const status = this.#failNext;
    this.#failNext = undefined;
    if (status !== undefined) {
      if (status === 429) res.setHeader('retry-after', '1');
      return answer(res, status, error(`E${status}`));
    }
    let sent: Record<string, unknown>;
    try {
      sent = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      return answer(res, 400, error('bad_json'));
    }
    const text = typeof sent.text === 'string' ? sent.text : '';
    if (typeof sent.recipient !== 'string' || !sent.recipient || !text)
      return answer(res, 400, error('missing_field'));
    const message: FakeJsonMessage = {
      id: `fj-${++this.#next}`,
      to: sent.recipient,
      from: String(sent.sender ?? ''),
      text,
      reference: String(sent.reference ?? ''),
      callbackUrl: typeof sent.callback_url === 'string' ? sent.callback_url : '',
    };
    this.messages.push(message);
    answer(res, 201, { data: { id: message.id, parts: segmentInfo(text).segments } });
    if (message.callbackUrl && this.options.sendReceipts !== false) void this.report(message);
  }

  private async report(message: FakeJsonMessage): Promise<void> {
    const undeliverable = this.options.undeliverable ?? ((to: string) => to.endsWith('9'));
    for (const state of ['SENT', undeliverable(message.to) ? 'FAILED' : 'DELIVERED']) {
      await new Promise((r) => setTimeout(r, this.options.callbackDelayMs ?? 50));
      const { url, headers, body } = this.receiptRequest(message.callbackUrl, message.id, state);
      let httpStatus = 0;
      try {
        httpStatus = (await fetch(url, { method: 'POST', headers, body })).status;
      } catch {
        // No answer: recorded as 0.
      }
      this.receipts.push({ id: message.id, state, httpStatus });
    }
  }
}

function error(code: string): object {
  return { error: { code, message: 'The fake refuses this send' } };
}

function answer(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
