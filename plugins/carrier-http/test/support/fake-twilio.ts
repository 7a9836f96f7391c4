import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { segmentInfo } from '@maskline/core';

/** A message the fake accepted. */
export interface FakeTwilioMessage {
  sid: string;
  to: string;
  from: string;
  body: string;
  statusCallback: string | undefined;
}

/** One status callback the fake POSTed, and what the receiver answered (0: no answer). */
export interface FakeCallbackResult {
  sid: string;
  status: string;
  httpStatus: number;
}

/** How the fake answers the next sends: Twilio's error shapes. */
export type FakeTwilioMode =
  | { kind: 'ok' }
  | { kind: 'error'; status: number; code?: number; retryAfter?: string };

/** A signed form POST as Twilio would make it (the URL it called, its headers and body). */
export interface FakeTwilioRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface FakeTwilioOptions {
  accountSid: string;
  authToken: string;
  /** Destinations the fake reports `undelivered` (ErrorCode 30003); default: ending in 9. */
  undeliverable?: (to: string) => boolean;
  /** Pause before each status callback. */
  callbackDelayMs?: number;
}

/**
 * A local stand-in for Twilio's Programmable Messaging API: takes form-encoded sends with
 * HTTP Basic auth on `/2010-04-01/Accounts/{sid}/Messages.json`, answers a SID, then POSTs
 * signed status callbacks (`sent`, then `delivered` or `undelivered`) to the StatusCallback
 * URL, and sends signed inbound SMS on request. Switches make it answer 429/5xx/4xx (once,
 * or until switched back), take sends without answering them, or go
 * away. It signs with its own code (not the plugin's), so tests check one against the other.
 */
export class FakeTwilio {
  readonly messages: FakeTwilioMessage[] = [];
  readonly callbacks: FakeCallbackResult[] = [];
  mode: FakeTwilioMode = { kind: 'ok' };
  /** Answers only the next send like this, then `mode` again. */
  private nextFailure: Extract<FakeTwilioMode, { kind: 'error' }> | undefined;
  /** While on, sends are read and never answered. */
  private stalled = false;
  private readonly held: ServerResponse[] = [];
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private sidCounter = 0;
  port = 0;

  private constructor(private readonly options: FakeTwilioOptions) {}

  static async start(options: FakeTwilioOptions): Promise<FakeTwilio> {
    return new FakeTwilio(options).listen();
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Answer only the next send with this error (Twilio's shape). */
  failNext(error: { status: number; code?: number; retryAfter?: string }): void {
    this.nextFailure = { kind: 'error', ...error };
  }

  /** While on, the fake takes sends and never answers them. */
  stall(on: boolean): void {
    this.stalled = on;
  }

  /** Refuses connections (and resets open ones) until up(). */
  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.held.length = 0;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async up(): Promise<void> {
    await this.listen();
  }

  async close(): Promise<void> {
    await this.down();
  }

  /** POSTs a signed inbound SMS to `url` (the carrier's /inbound); returns the answer. */
  async sendInbound(
    url: string,
    sms: { from: string; to: string; body: string },
    signature?: string,
  ): Promise<{ status: number; contentType: string | null; body: string; sid: string }> {
    const params = this.inboundParams(sms);
    const answer = await this.post(url, params, signature);
    return { ...answer, sid: params.get('MessageSid') ?? '' };
  }

  /** The parameters of Twilio's incoming-message webhook for `sms` (a new MessageSid). */
  inboundParams(sms: { from: string; to: string; body: string }): URLSearchParams {
    return new URLSearchParams({
      MessageSid: `SM${randomBytes(16).toString('hex')}`,
      AccountSid: this.options.accountSid,
      From: sms.from,
      To: sms.to,
      Body: sms.body,
      NumMedia: '0',
    });
  }

  /** The parameters of Twilio's status callback for message `sid` in `status`. */
  statusParams(message: { sid: string; to: string; from: string }, status: string): URLSearchParams {
    return new URLSearchParams({
      MessageSid: message.sid,
      SmsSid: message.sid,
      AccountSid: this.options.accountSid,
      MessageStatus: status,
      SmsStatus: status,
      To: message.to,
      From: message.from,
      ...(status === 'undelivered' ? { ErrorCode: '30003' } : {}),
    });
  }

  /** The signed POST of `params` to `url`, as Twilio would make it (not sent). */
  request(url: string, params: URLSearchParams, signature = this.sign(url, params)): FakeTwilioRequest {
    return {
      url,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signature,
        'i-twilio-idempotency-token': randomBytes(8).toString('hex'),
      },
      body: params.toString(),
    };
  }

  /** Twilio's signature of a POST to `url` with `params`, computed here on its own. */
  sign(url: string, params: URLSearchParams): string {
    const pairs = [...params.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const data = url + pairs.map(([name, value]) => `${name}${value}`).join('');
    return createHmac('sha1', this.options.authToken).update(data).digest('base64');
  }

  private async listen(): Promise<this> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
    return this;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = `/2010-04-01/Accounts/${this.options.accountSid}/Messages.json`;
    if (req.method !== 'POST' || req.url !== path)
      return json(res, 404, { code: 20404, message: 'Not found' });
    const expected = `Basic ${Buffer.from(`${this.options.accountSid}:${this.options.authToken}`).toString('base64')}`;
    if (req.headers.authorization !== expected) {
      return json(res, 401, { code: 20003, message: 'Authenticate', status: 401 });
    }
    if (this.stalled) {
      this.held.push(res);
      return;
    }
    const mode = this.nextFailure ?? this.mode;
    this.nextFailure = undefined;
    if (mode.kind === 'error') {
      if (mode.retryAfter) res.setHeader('retry-after', mode.retryAfter);
      return json(res, mode.status, {
        code: mode.code,
        message: 'The fake refuses this send',
        status: mode.status,
      });
    }
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const to = form.get('To') ?? '';
    if (!to || !form.get('Body'))
      return json(res, 400, { code: 21602, message: 'Message body is required.' });
    this.sidCounter += 1;
    const sid = `SM${this.sidCounter.toString(16).padStart(32, '0')}`;
    const message: FakeTwilioMessage = {
      sid,
      to,
      from: form.get('From') ?? '',
      body: form.get('Body') ?? '',
      statusCallback: form.get('StatusCallback') ?? undefined,
    };
    this.messages.push(message);
    json(res, 201, {
      sid,
      status: 'queued',
      num_segments: String(segmentInfo(message.body).segments),
      account_sid: this.options.accountSid,
    });
    if (message.statusCallback) void this.reportStatuses(message);
  }

  private async reportStatuses(message: FakeTwilioMessage): Promise<void> {
    const undeliverable = this.options.undeliverable ?? ((to: string) => to.endsWith('9'));
    const final = undeliverable(message.to) ? 'undelivered' : 'delivered';
    for (const status of ['sent', final]) {
      await new Promise((r) => setTimeout(r, this.options.callbackDelayMs ?? 50));
      const answer = await this.post(message.statusCallback ?? '', this.statusParams(message, status));
      this.callbacks.push({ sid: message.sid, status, httpStatus: answer.status });
    }
  }

  private async post(
    url: string,
    params: URLSearchParams,
    signature = this.sign(url, params),
  ): Promise<{ status: number; contentType: string | null; body: string }> {
    const { headers, body } = this.request(url, params, signature);
    try {
      const response = await fetch(url, { method: 'POST', headers, body });
      return {
        status: response.status,
        contentType: response.headers.get('content-type'),
        body: await response.text(),
      };
    } catch {
      return { status: 0, contentType: null, body: '' };
    }
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
