import type { DependencyHealth, Logger } from '@maskline/core';
import { MasklineError, toMasklineError } from '@maskline/core';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { KnownRoutes } from './method-not-allowed.js';
import { setRequestIdHeader } from './request-id.js';

/** What a client is told to wait before retrying while PostgreSQL or Redis is away. */
export const UNAVAILABLE_RETRY_AFTER_MS = 1_000;

/**
 * One place where anything thrown in a request becomes `{"error":{"code","message"}}`.
 * Clients never see a stack trace or a library's message; the log keeps the cause
 * (scrubbed of phone-like values by the logger).
 *
 * An error that means PostgreSQL or Redis cannot be reached (see DependencyHealth) is
 * `503 service_unavailable` with Retry-After. It is not logged per request: the
 * dependency's tracker counts it and logs once when the dependency goes down and once
 * when it is back.
 */
export function installErrorHandling(app: FastifyInstance, logger: Logger, health?: DependencyHealth): void {
  const known = new KnownRoutes();
  known.install(app);
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const outage = unavailable(error, health);
    const mapped = outage ?? fromFastifyError(error) ?? toMasklineError(error);
    if (mapped.status >= 500 && !outage) {
      logger.error({ err: error, reqId: request.id, errorCode: mapped.code }, 'request failed');
    }
    const retryAfterMs =
      mapped.retryAfterMs ?? (mapped.code === 'service_unavailable' ? UNAVAILABLE_RETRY_AFTER_MS : undefined);
    if (retryAfterMs !== undefined) reply.header('retry-after', Math.ceil(retryAfterMs / 1000));
    void reply.status(mapped.status).send(mapped.toResponseBody());
  });
  // A known path asked with another method is 405 with Allow; else 404. The body never
  // echoes the path (it may carry anything the client put there).
  app.setNotFoundHandler((request, reply) => {
    const allowed = known.allowed(request.url.split('?', 1)[0] ?? '');
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      const error = new MasklineError('method_not_allowed', { details: { allow: allowed.join(', ') } });
      void reply.status(error.status).header('allow', allowed.join(', ')).send(error.toResponseBody());
      return;
    }
    const error = new MasklineError('not_found');
    void reply.status(error.status).send(error.toResponseBody());
  });
}

/**
 * Fastify's `frameworkErrors`: what its router refuses before any hook or handler runs
 * (a path parameter over maxParamLength, a URL that does not percent-decode) gets the
 * documented body and a Request-Id, never fastify's own body (which echoes the path).
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  setRequestIdHeader(request, reply);
  const mapped =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? new MasklineError('uri_too_long', {
          message: 'A path segment is too long (at most 100 characters).',
          details: { field: 'path' },
        })
      : error.code === 'FST_ERR_BAD_URL'
        ? new MasklineError('invalid_request', {
            message: 'The URL is malformed.',
            details: { field: 'path' },
          })
        : byStatus(error.statusCode);
  void reply.status(mapped.status).send(mapped.toResponseBody());
}

/** A framework 4xx without a mapping of its own: the catalogue code for its status. */
function byStatus(status: number | undefined): MasklineError {
  switch (status) {
    case 404:
      return new MasklineError('not_found');
    case 405:
      return new MasklineError('method_not_allowed');
    case 413:
      return new MasklineError('payload_too_large');
    case 414:
      return new MasklineError('uri_too_long');
    case 415:
      return new MasklineError('unsupported_media_type');
    default:
      return new MasklineError('invalid_request');
  }
}

function unavailable(error: unknown, health: DependencyHealth | undefined): MasklineError | null {
  // A client-side answer (4xx, e.g. tenant_keys_destroyed) stands even with a cause attached.
  if (error instanceof MasklineError && error.status < 500) return null;
  if (!health?.unavailableFor(error)) return null;
  return new MasklineError('service_unavailable', { retryAfterMs: UNAVAILABLE_RETRY_AFTER_MS, cause: error });
}

function fromFastifyError(error: FastifyError): MasklineError | null {
  if (error instanceof MasklineError) return error;
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new MasklineError('unsupported_media_type');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new MasklineError('payload_too_large');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new MasklineError('invalid_request', { message: 'The request body is missing or malformed.' });
    default:
      break;
  }
  if (error.validation) return new MasklineError('invalid_request');
  if (error instanceof SyntaxError || (error.statusCode === 400 && !error.code?.startsWith('FST_ERR_'))) {
    return new MasklineError('invalid_request', { message: 'The request body is not valid JSON.' });
  }
  if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.code === 'FST_ERR_CTP_INVALID_CONTENT_TYPE') {
    return new MasklineError('invalid_request', { message: 'The request body is not valid JSON.' });
  }
  // Any other fastify refusal: its status's catalogue code, never its own message.
  const status = error.statusCode ?? 500;
  if (error.code?.startsWith('FST_ERR_') && status >= 400 && status < 500) return byStatus(status);
  return null;
}
