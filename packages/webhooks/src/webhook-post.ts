import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { VettedAddress, VettedTarget } from './target-guard.js';

export interface PostResult {
  /** The HTTP status, or null when no answer came (see errorClass). */
  status: number | null;
  latencyMs: number;
  /** A stable class for the attempt log: timeout, connect_refused, tls, redirect, http_<status>, ... */
  errorClass: string | null;
}

/**
 * A `lookup` for the socket that answers with the vetted addresses only, so the connection
 * goes where the guard looked (no second DNS query, no rebinding window).
 */
export function pinnedLookup(addresses: readonly VettedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const wanted = options.family === 4 || options.family === 6 ? options.family : 0;
    const usable = addresses.filter((a) => wanted === 0 || a.family === wanted);
    if (usable.length === 0) {
      const error = Object.assign(new Error('no vetted address of that family'), { code: 'ENOTFOUND' });
      callback(error, '', 0);
      return;
    }
    if (options.all) {
      (callback as unknown as (e: null, a: VettedAddress[]) => void)(null, usable);
      return;
    }
    const first = usable[0] as VettedAddress;
    callback(null, first.address, first.family);
  };
}

function errorClassOf(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connect_refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'connection_reset';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'dns_failed';
    default:
      if (error.code?.startsWith('ERR_TLS') || error.code?.includes('CERT')) return 'tls';
      return 'network';
  }
}

/** Of an answer's body no more than this is read (to keep its connection); a longer one closes it. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * POSTs one signed body to a vetted target: connects to the vetted addresses only, never
 * follows a redirect (a 3xx is a failed attempt), reads no more of the answer than
 * MAX_ANSWER_BYTES (and looks at nothing but its status), and gives up after `timeoutMs`
 * (the whole exchange).
 *
 * With a keep-alive `agent` (EndpointAgents: pinned to the same vetted addresses) the
 * connection is kept for the endpoint's next POST; a kept connection the receiver closed
 * meanwhile (reset before any answer) is retried once on a fresh one. Without an agent the
 * connection is closed after the answer.
 */
export async function postWebhook(
  target: VettedTarget,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  agent?: http.Agent,
): Promise<PostResult> {
  const started = performance.now();
  let { status, errorClass, staleSocket } = await postOnce(target, body, headers, timeoutMs, agent);
  if (staleSocket) {
    const left = Math.max(timeoutMs - (performance.now() - started), 1);
    ({ status, errorClass } = await postOnce(target, body, headers, left, agent));
  }
  return { status, errorClass, latencyMs: Math.round(performance.now() - started) };
}

function postOnce(
  target: VettedTarget,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  agent: http.Agent | undefined,
): Promise<Omit<PostResult, 'latencyMs'> & { staleSocket: boolean }> {
  const transport = target.url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (status: number | null, errorClass: string | null, staleSocket = false): void => {
      if (settled) return;
      settled = true;
      resolve({ status, errorClass, staleSocket });
    };
    const request = transport.request(target.url, {
      method: 'POST',
      ...(agent ? { agent } : { agent: false, lookup: pinnedLookup(target.addresses) }),
      headers: {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        'user-agent': 'Maskline-Webhooks/1',
        ...headers,
      },
    });
    // The whole exchange, the rest of a kept connection's answer included: a receiver that
    // sends its status and then stalls the body loses the connection, not the agent's slot.
    const timer = setTimeout(() => {
      finish(null, 'timeout');
      request.destroy();
    }, timeoutMs);
    request.on('close', () => clearTimeout(timer));
    request.on('response', (response) => {
      const status = response.statusCode ?? 0;
      const errorClass =
        status >= 200 && status < 300 ? null : status >= 300 && status < 400 ? 'redirect' : `http_${status}`;
      finish(status, errorClass);
      response.on('error', () => {});
      if (!agent) {
        request.destroy();
        return;
      }
      // Read the rest of the answer (bounded) so the connection can carry the next POST.
      let read = 0;
      response.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > MAX_ANSWER_BYTES) request.destroy();
      });
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      const reset = error.code === 'ECONNRESET' || error.code === 'EPIPE';
      const stale = agent !== undefined && request.reusedSocket && reset;
      finish(null, errorClassOf(error), stale);
    });
    request.end(body);
  });
}
