import type { CarrierHealth, Logger } from '@maskline/core';
import { MasklineError } from '@maskline/core';
import { setHttpRoute } from '@maskline/telemetry';
import Fastify, { type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import {
  type CallbackHandler,
  type CallbackReply,
  errorReply,
  type MountedCallback,
} from './callback-handler.js';

export interface CallbackServerOptions {
  host: string;
  port: number;
  /** The public base URL carriers call; the URL a route sees is this + path + query. */
  baseUrl: string;
  bodyLimit: number;
  callbacks: readonly MountedCallback[];
  handler: CallbackHandler;
  logger: Logger;
  /** Each carrier's health, for GET /health. */
  carriers(): Array<{ id: string; health: CarrierHealth }>;
}

export interface CallbackServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The delivery worker's HTTP server for carrier callbacks: each carrier's routes under
 * `/carriers/{carrierId}{path}` and `GET /health`. Bodies are taken raw (signatures are over
 * the bytes) and bounded; everything else (verify, replay window, parse, durability, the
 * answer) is the CallbackHandler's.
 */
export async function startCallbackServer(options: CallbackServerOptions): Promise<CallbackServer> {
  const app = Fastify({ logger: false, bodyLimit: options.bodyLimit, return503OnClosing: true });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  // The HTTP server span is named by its route template (`POST /carriers/acme/dlr`).
  app.addHook('onRequest', (request, _reply, done) => {
    setHttpRoute(request.routeOptions.url);
    done();
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const mapped =
      error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? new MasklineError('payload_too_large')
        : error.statusCode !== undefined && error.statusCode < 500
          ? new MasklineError('invalid_request', { message: 'The callback request is malformed.' })
          : new MasklineError('internal_error');
    if (mapped.status >= 500) {
      options.logger.error(
        { path: request.routeOptions.url, errorName: error.name },
        'carrier callback failed',
      );
    }
    return send(reply, errorReply(mapped));
  });
  app.setNotFoundHandler((_request, reply) => send(reply, errorReply(new MasklineError('not_found'))));

  app.get('/health', async () => ({ status: 'ok', carriers: options.carriers().map(summary) }));

  for (const mounted of options.callbacks) {
    const prefix = `/carriers/${mounted.carrierId}`;
    app.route({
      method: mounted.route.method,
      url: `${prefix}${mounted.route.path}`,
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        const answer = await options.handler.handle(mounted, {
          method: request.method,
          url: `${options.baseUrl}${request.url}`,
          path: mounted.route.path,
          headers: lowerCasedHeaders(request.headers),
          rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
        });
        return send(reply, answer);
      },
    });
  }

  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  options.logger.info(
    {
      port,
      routes: options.callbacks.map((c) => `${c.route.method} /carriers/${c.carrierId}${c.route.path}`),
    },
    'carrier callbacks listening',
  );
  return { port, close: () => app.close() };
}

function send(reply: FastifyReply, answer: CallbackReply): FastifyReply {
  void reply.status(answer.status).headers(answer.headers);
  return answer.body === undefined ? reply.send() : reply.send(answer.body);
}

function lowerCasedHeaders(headers: FastifyRequest['headers']): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function summary(carrier: { id: string; health: CarrierHealth }): { id: string; status: string } {
  return { id: carrier.id, status: carrier.health.status };
}
