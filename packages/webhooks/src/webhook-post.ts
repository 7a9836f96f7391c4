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

/**
 * POSTs one signed body to a vetted target: connects to the vetted addresses only, never
 * follows a redirect (a 3xx is a failed attempt), reads no more of the answer than its
 * status, and gives up after `timeoutMs` (the whole exchange).
 */
export function postWebhook(
  target: VettedTarget,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<PostResult> {
  const started = performance.now();
  const transport = target.url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (status: number | null, errorClass: string | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ status, latencyMs: Math.round(performance.now() - started), errorClass });
    };
    const request = transport.request(target.url, {
      method: 'POST',
      agent: false,
      lookup: pinnedLookup(target.addresses),
      headers: {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        'user-agent': 'Maskline-Webhooks/1',
        ...headers,
      },
    });
    const timer = setTimeout(() => {
      finish(null, 'timeout');
      request.destroy();
    }, timeoutMs);
    request.on('response', (response) => {
      response.resume();
      const status = response.statusCode ?? 0;
      const errorClass =
        status >= 200 && status < 300 ? null : status >= 300 && status < 400 ? 'redirect' : `http_${status}`;
      finish(status, errorClass);
      response.on('error', () => {});
      request.destroy();
    });
    request.on('error', (error) => finish(null, errorClassOf(error)));
    request.end(body);
  });
}
