import type { DependencyHealth, Logger } from '@maskline/core';
import { MasklineError, toMasklineError } from '@maskline/core';
import type { FastifyError, FastifyInstance } from 'fastify';

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
  app.setNotFoundHandler((_request, reply) => {
    const error = new MasklineError('not_found');
    void reply.status(error.status).send(error.toResponseBody());
  });
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
  if (error instanceof SyntaxError || error.statusCode === 400) {
    return new MasklineError('invalid_request', { message: 'The request body is not valid JSON.' });
  }
  return null;
}
