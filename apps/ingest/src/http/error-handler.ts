import type { Logger } from '@maskline/core';
import { MasklineError, toMasklineError } from '@maskline/core';
import type { FastifyError, FastifyInstance } from 'fastify';

/**
 * One place where anything thrown in a request becomes `{"error":{"code","message"}}`.
 * Clients never see a stack trace or a library's message; the log keeps the cause
 * (scrubbed of phone-like values by the logger).
 */
export function installErrorHandling(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const mapped = fromFastifyError(error) ?? toMasklineError(error);
    if (mapped.status >= 500) {
      logger.error({ err: error, reqId: request.id, errorCode: mapped.code }, 'request failed');
    }
    if (mapped.retryAfterMs !== undefined) reply.header('retry-after', Math.ceil(mapped.retryAfterMs / 1000));
    void reply.status(mapped.status).send(mapped.toResponseBody());
  });
  app.setNotFoundHandler((_request, reply) => {
    const error = new MasklineError('not_found');
    void reply.status(error.status).send(error.toResponseBody());
  });
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
