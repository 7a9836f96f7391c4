import {
  MasklineError,
  type PluginHttpClient,
  type PluginHttpRequest,
  type PluginHttpResponse,
} from '@maskline/core';

export interface PluginHttpClientOptions {
  /** Bound on one exchange when the request names none. */
  defaultTimeoutMs?: number;
  /** Answers longer than this are cut (a carrier's answer is small; a huge one is an attack). */
  maxResponseBytes?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024;

/**
 * The HTTP client the host hands a plugin: Node's fetch (undici, keep-alive by default)
 * with a timeout on the whole exchange, the answer's size bounded, and failures as the
 * carrier_* codes the host's retry policy understands. Redirects are not followed: a
 * carrier API that redirects a send is misconfigured, and following it could resend.
 */
export function createPluginHttpClient(options: PluginHttpClientOptions = {}): PluginHttpClient {
  const defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  return {
    async request(request: PluginHttpRequest): Promise<PluginHttpResponse> {
      const timeout = AbortSignal.timeout(request.timeoutMs ?? defaultTimeoutMs);
      const signal = request.signal ? AbortSignal.any([timeout, request.signal]) : timeout;
      try {
        const response = await fetch(request.url, {
          method: request.method,
          ...(request.headers ? { headers: request.headers } : {}),
          ...(request.body !== undefined ? { body: request.body } : {}),
          redirect: 'manual',
          signal,
        });
        const body = await readBounded(response, maxBytes);
        const headers: Record<string, string> = {};
        response.headers.forEach((value, name) => {
          headers[name] = value;
        });
        return { status: response.status, headers, body };
      } catch (error) {
        if (timeout.aborted) {
          throw new MasklineError('carrier_timeout', { message: 'The carrier did not answer in time.' });
        }
        if (request.signal?.aborted)
          throw new MasklineError('carrier_timeout', { message: 'Aborted by the host.' });
        const code = errorCodeOf(error);
        // Refused before a byte was sent: the carrier certainly has nothing. Anything else
        // (a reset, the other side closing) may come after the request reached it: the
        // host must treat the send as ambiguous (retry here, never fail over elsewhere).
        throw new MasklineError('carrier_unavailable', {
          message: `The carrier could not be reached (${code}).`,
          ...(NOT_SENT_CODES.has(code) ? {} : { details: { inFlight: true } }),
        });
      }
    },
  };
}

async function readBounded(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const room = maxBytes - size;
    if (value.byteLength >= room) {
      chunks.push(value.subarray(0, room));
      await reader.cancel();
      break;
    }
    chunks.push(value);
    size += value.byteLength;
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Failures of name lookup or connecting: no request can have left. Everything else that
 * breaks an exchange may have happened after the provider read the request.
 */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** A system error's code (ECONNREFUSED, ENOTFOUND), never its message (it may name hosts). */
function errorCodeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } })?.cause;
  return typeof cause?.code === 'string' ? cause.code : 'network_error';
}
