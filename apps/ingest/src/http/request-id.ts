import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, RawRequestDefaultExpression } from 'fastify';

/** A client's X-Request-Id is echoed when it is 1 to 128 of these characters; else one is made. */
const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request's id: a valid incoming `X-Request-Id` (so a client can find its own call in
 * our logs and its), else a fresh UUID. An invalid one is ignored, never echoed: it could
 * carry anything (a header injection attempt, a phone number).
 */
export function requestIdOf(raw: RawRequestDefaultExpression): string {
  const incoming = raw.headers['x-request-id'];
  return typeof incoming === 'string' && VALID_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** Puts `Request-Id` on a reply (also used where fastify answers before any hook runs). */
export function setRequestIdHeader(request: FastifyRequest, reply: FastifyReply): void {
  void reply.header('request-id', request.id);
}

/** Every answer, errors and 404s included, carries `Request-Id`. */
export function installRequestId(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    setRequestIdHeader(request, reply);
    done();
  });
}
