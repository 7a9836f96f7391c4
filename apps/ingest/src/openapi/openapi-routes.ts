import type { FastifyInstance } from 'fastify';
import { ingestOpenApi } from './openapi-document.js';

/**
 * GET /v1/openapi.json, outside the API-key scope (listed in PUBLIC_ROUTES of
 * auth/route-scopes.ts): the document is built once, at start-up, and served as is.
 */
export async function openApiRoutes(app: FastifyInstance): Promise<void> {
  const body = JSON.stringify(ingestOpenApi());
  app.get('/v1/openapi.json', async (_request, reply) =>
    reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .send(body),
  );
}
