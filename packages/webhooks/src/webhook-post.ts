import type { LookupFunction } from 'node:net';
import { Client, type Dispatcher } from 'undici';
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
    case 'UND_ERR_SOCKET':
      return 'connection_reset';
    case 'ETIMEDOUT':
    case 'UND_ERR_ABORTED':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
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

/** The socket closed before any answer came (the receiver reset or closed it). */
function closedUnanswered(error: NodeJS.ErrnoException): boolean {
  return error.code === 'UND_ERR_SOCKET' || error.code === 'ECONNRESET' || error.code === 'EPIPE';
}

/**
 * POSTs one signed body to a vetted target: connects to the vetted addresses only, never
 * follows a redirect (a 3xx is a failed attempt), reads no more of the answer than
 * MAX_ANSWER_BYTES (and looks at nothing but its status), and gives up after `timeoutMs`
 * (the whole exchange).
 *
 * With a keep-alive `pool` (EndpointAgents: pinned to the same vetted addresses) the
 * connection is kept for the endpoint's next POST; a connection that closes before any
 * answer (typically a kept one the receiver's idle timer closed as the POST arrived) is
 * retried once on a fresh one. Without a pool the connection is closed after the answer.
 *
 * The client is undici's, not node:http's: half the CPU per POST on a kept connection
 * (docs/performance.md, "Webhook POSTs on undici").
 */
export async function postWebhook(
  target: VettedTarget,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  pool?: Dispatcher,
): Promise<PostResult> {
  const started = performance.now();
  let { status, errorClass, unanswered } = await postOnce(target, body, headers, timeoutMs, pool);
  if (unanswered && pool) {
    const left = Math.max(timeoutMs - (performance.now() - started), 1);
    ({ status, errorClass } = await postOnce(target, body, headers, left, pool));
  }
  return { status, errorClass, latencyMs: Math.round(performance.now() - started) };
}

async function postOnce(
  target: VettedTarget,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  pool: Dispatcher | undefined,
): Promise<Omit<PostResult, 'latencyMs'> & { unanswered: boolean }> {
  // One connection for this POST alone (pipelining 0: no keep-alive), closed after it.
  const dispatcher =
    pool ??
    new Client(target.url.origin, { pipelining: 0, connect: { lookup: pinnedLookup(target.addresses) } });
  // The whole exchange, the rest of a kept connection's answer included: a receiver that
  // sends its status and then stalls the body loses the connection, not the pool's slot.
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  const done = (): void => {
    clearTimeout(timer);
    if (!pool) void dispatcher.destroy().catch(() => {});
  };
  try {
    const answer = await dispatcher.request({
      path: `${target.url.pathname}${target.url.search}`,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        'user-agent': 'Maskline-Webhooks/1',
        ...headers,
      },
      body,
      signal: abort.signal,
    });
    const status = answer.statusCode;
    // Read the rest of the answer (bounded: a longer one is cut and its connection closed)
    // so the connection is free for the endpoint's next POST when this one returns. The
    // status is all that is looked at, and it stands even if the rest never comes.
    await answer.body.dump({ limit: MAX_ANSWER_BYTES }).catch(() => {});
    done();
    const errorClass =
      status >= 200 && status < 300 ? null : status >= 300 && status < 400 ? 'redirect' : `http_${status}`;
    return { status, errorClass, unanswered: false };
  } catch (error) {
    done();
    const e = error as NodeJS.ErrnoException;
    return {
      status: null,
      errorClass: abort.signal.aborted ? 'timeout' : errorClassOf(e),
      unanswered: closedUnanswered(e),
    };
  }
}
