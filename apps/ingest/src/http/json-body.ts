import { MasklineError } from '@maskline/core';
import type { FastifyInstance } from 'fastify';

/**
 * JSON bodies must be UTF-8. Fastify's own parser decodes bytes leniently: an invalid
 * sequence became U+FFFD and the mangled text was sent. Here the bytes are decoded with a
 * fatal decoder first (400 invalid_request when they are not UTF-8), then handed to
 * fastify's default JSON parser (which keeps its __proto__ / constructor protection).
 */
export function installStrictJsonParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(body as Buffer);
    } catch {
      done(
        new MasklineError('invalid_request', {
          message: 'The request body is not valid UTF-8.',
          details: { field: 'body', reason: 'invalid_utf8' },
        }),
        undefined,
      );
      return;
    }
    parseJson(request, text, done);
  });
}
