import { isUuid, MasklineError } from '@maskline/core';
import type { RevealGrant } from '@maskline/storage';
import type { FastifyInstance } from 'fastify';
import { actorOf, tenantOf } from '../auth/api-key-auth.js';
import {
  parseRevealGrantRequest,
  parseRevealGrantState,
  parseRevealPolicy,
} from './reveal-grant-requests.js';
import { principalOfGrant, type RevealGrantService } from './reveal-grant-service.js';

export interface RevealGrantRoutesDeps {
  revealGrants: RevealGrantService;
}

/** The API's view of a grant: who holds it, its state and times (never a number). */
export function toRevealGrantView(grant: RevealGrant) {
  return {
    id: grant.id,
    holder: principalOfGrant(grant),
    state: grant.revokedAt ? 'revoked' : grant.expiresAt <= new Date() ? 'expired' : grant.state,
    reason: grant.reason,
    requestedBy: grant.requestedBy,
    decidedBy: grant.decidedBy,
    decidedAt: grant.decidedAt?.toISOString() ?? null,
    expiresAt: grant.expiresAt.toISOString(),
    createdAt: grant.createdAt.toISOString(),
  };
}

const idOf = (id: string) => {
  if (!isUuid(id)) throw new MasklineError('reveal_grant_not_found');
  return id;
};

/** Reveal grants (docs/guides/reveal-approval.md): request (reveal:request), decide (reveal:approve). */
export async function revealGrantRoutes(app: FastifyInstance, deps: RevealGrantRoutesDeps): Promise<void> {
  const service = deps.revealGrants;

  app.post('/v1/reveal-grants', async (request, reply) => {
    const grant = await service.request(
      tenantOf(request),
      actorOf(request),
      parseRevealGrantRequest(request.body),
    );
    void reply.status(201).header('location', `/v1/reveal-grants/${grant.id}`);
    return toRevealGrantView(grant);
  });

  app.get<{ Params: { id: string } }>('/v1/reveal-grants/:id', async (request) =>
    toRevealGrantView(await service.getOwn(tenantOf(request), actorOf(request), idOf(request.params.id))),
  );

  app.get<{ Querystring: { state?: string } }>('/v1/reveal-grants', async (request) => ({
    data: (await service.list(tenantOf(request), parseRevealGrantState(request.query.state))).map(
      toRevealGrantView,
    ),
  }));

  for (const [verb, approve] of [
    ['approve', true],
    ['deny', false],
  ] as const) {
    app.post<{ Params: { id: string } }>(`/v1/reveal-grants/:id/${verb}`, async (request) =>
      toRevealGrantView(
        await service.decide(tenantOf(request), actorOf(request), idOf(request.params.id), approve),
      ),
    );
  }

  app.delete<{ Params: { id: string } }>('/v1/reveal-grants/:id', async (request, reply) => {
    await service.revoke(tenantOf(request), actorOf(request), idOf(request.params.id));
    return reply.status(204).send();
  });

  app.get('/v1/reveal-policy', async (request) => ({ fourEyes: await service.fourEyes(tenantOf(request)) }));

  app.put('/v1/reveal-policy', async (request) => {
    const { fourEyes } = parseRevealPolicy(request.body);
    await service.setFourEyes(tenantOf(request), actorOf(request), fourEyes);
    return { fourEyes };
  });
}
