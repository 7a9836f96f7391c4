import { segmentInfo } from '@maskline/core';
import type { PluginContext, SubmitOptions, SubmitRequest, SubmitResult } from '@maskline/plugin-sdk';
import { type FailureClass, failureError, malformedAnswer } from '../failure-class.js';
import { HttpCarrier } from '../http-plugin-base.js';
import { textAt } from '../json-pointer.js';
import type { HttpJsonConfig } from './http-json-config.js';
import { fillJson, fillText, type TemplateValues } from './template.js';

/**
 * A provider with a JSON-over-HTTP send API, described by config: the request (URL,
 * method, headers, a JSON body template), where the answer gives the message id, and
 * which HTTP statuses mean what.
 */
export class HttpJsonCarrier extends HttpCarrier {
  constructor(
    ctx: PluginContext,
    private readonly config: HttpJsonConfig,
  ) {
    super(ctx, config.drainTimeoutMs);
  }

  protected async send(request: SubmitRequest, options?: SubmitOptions): Promise<SubmitResult> {
    const { request: template, response: mapping } = this.config;
    const values: TemplateValues = {
      to: request.to,
      from: request.from,
      body: request.body,
      messageId: request.messageId,
      tenantId: request.tenantId,
      statusCallbackUrl: statusCallbackUrl(this.config, this.ctx.callbackUrl, request.requestReceipt),
    };
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
      ...template.headers,
    };
    const apiKey = this.ctx.secrets.apiKey;
    if (template.apiKeyHeader && apiKey)
      headers[template.apiKeyHeader.name] = template.apiKeyHeader.prefix + apiKey;
    const response = await this.ctx.http.request({
      method: template.method,
      url: fillText(template.url, values, encodeURIComponent),
      headers,
      body: JSON.stringify(fillJson(template.body, values)),
      ...(options?.signal ? { signal: options.signal } : {}),
    });
    const answer = parseJson(response.body);
    if (response.status < 200 || response.status >= 300) {
      const providerCode =
        mapping.errorCodePointer === undefined ? undefined : textAt(answer, mapping.errorCodePointer);
      throw failureError('The provider', classOfStatus(this.config, response.status), {
        status: response.status,
        ...(providerCode === undefined ? {} : { providerCode: providerCode.slice(0, 64) }),
        ...(response.headers['retry-after'] === undefined
          ? {}
          : { retryAfter: response.headers['retry-after'] }),
      });
    }
    const id = textAt(answer, mapping.idPointer);
    if (!id) throw malformedAnswer('The provider', response.status);
    const counted =
      mapping.segmentsPointer === undefined ? Number.NaN : Number(textAt(answer, mapping.segmentsPointer));
    // The provider's own count when it gives one; else the count of the standard GSM-7/UCS-2 split.
    const segments = Number.isInteger(counted) && counted > 0 ? counted : segmentInfo(request.body).segments;
    return { carrierMessageId: id, partIds: [id], segments };
  }
}

/** The class of a non-2xx status: the first configured range holding it, else temporary. */
export function classOfStatus(config: HttpJsonConfig, status: number): FailureClass {
  return config.response.statusClasses.find((r) => status >= r.from && status <= r.to)?.class ?? 'temporary';
}

function statusCallbackUrl(config: HttpJsonConfig, callbackUrl: string | undefined, wanted: boolean): string {
  return wanted && config.receipts && callbackUrl ? `${callbackUrl}${config.receipts.path}` : '';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
