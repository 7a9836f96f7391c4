import { segmentInfo } from '@maskline/core';
import type { PluginContext, SubmitOptions, SubmitRequest, SubmitResult } from '@maskline/plugin-sdk';
import { malformedAnswer } from '../failure-class.js';
import { HttpCarrier } from '../http-plugin-base.js';
import type { TwilioConfig } from './twilio-config.js';
import { twilioError } from './twilio-errors.js';

/** Where Twilio's status callbacks for this carrier are received (below ctx.callbackUrl). */
export const TWILIO_STATUS_PATH = '/status';
export const TWILIO_INBOUND_PATH = '/inbound';

/**
 * Sends through Twilio's Programmable Messaging API: one form-encoded
 * `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` per message, HTTP Basic auth with
 * the account SID and auth token. Twilio splits a long body itself (up to 1600 characters)
 * and reports `num_segments`; its message `sid` is the carrier message id.
 */
export class TwilioCarrier extends HttpCarrier {
  private readonly url: string;
  private readonly authorization: string;

  constructor(
    ctx: PluginContext,
    private readonly config: TwilioConfig,
  ) {
    super(ctx, config.drainTimeoutMs);
    this.url = `${config.baseUrl}/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}/Messages.json`;
    const token = ctx.secrets.authToken ?? '';
    this.authorization = `Basic ${Buffer.from(`${config.accountSid}:${token}`).toString('base64')}`;
  }

  protected async send(request: SubmitRequest, options?: SubmitOptions): Promise<SubmitResult> {
    const form = new URLSearchParams({ To: request.to, From: request.from, Body: request.body });
    if (this.config.statusCallbacks && request.requestReceipt && this.ctx.callbackUrl) {
      form.set('StatusCallback', `${this.ctx.callbackUrl}${TWILIO_STATUS_PATH}`);
    }
    const response = await this.ctx.http.request({
      method: 'POST',
      url: this.url,
      headers: {
        authorization: this.authorization,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: form.toString(),
      ...(this.config.requestTimeoutMs === undefined ? {} : { timeoutMs: this.config.requestTimeoutMs }),
      ...(options?.signal ? { signal: options.signal } : {}),
    });
    if (response.status < 200 || response.status >= 300) {
      throw twilioError(response.status, response.body, response.headers['retry-after']);
    }
    const answer = parseJson(response.body);
    const sid = answer?.sid;
    if (typeof sid !== 'string' || sid.length === 0) throw malformedAnswer('Twilio', response.status);
    const segments = Number(answer?.num_segments);
    return {
      carrierMessageId: sid,
      partIds: [sid],
      segments: Number.isInteger(segments) && segments > 0 ? segments : segmentInfo(request.body).segments,
    };
  }
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
