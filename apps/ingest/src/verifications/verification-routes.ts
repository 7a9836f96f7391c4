import { isUuid, MasklineError } from '@maskline/core';
import type { FastifyInstance } from 'fastify';
import { actorOf, tenantOf } from '../auth/api-key-auth.js';
import { parseLimitOverrides, type TenantVerificationLimits } from './tenant-verification-limits.js';
import type { VerificationBlocks } from './verification-blocks.js';
import { parseCheckVerification, parseStartVerification } from './verification-requests.js';
import type { VerificationService } from './verification-service.js';
import { toVerificationView } from './verification-view.js';

export interface VerificationRoutesDeps {
  verifications: VerificationService;
  /** SMS-pumping blocks: listed and lifted by an admin (scope routes:manage). */
  blocks: VerificationBlocks;
  /** The tenant's own abuse limits (scope routes:manage); the routes are left out without it. */
  limits?: TenantVerificationLimits;
}

/** /v1/verifications (docs/verifications.md), behind the API-key hook and the request limiter. */
export async function verificationRoutes(app: FastifyInstance, deps: VerificationRoutesDeps): Promise<void> {
  const { verifications, blocks } = deps;

  // Registered before /:id, though find-my-way prefers the static segment anyway.
  app.get('/v1/verifications/blocks', async (request) => ({ data: await blocks.list(tenantOf(request)) }));

  app.delete<{ Params: { id: string } }>('/v1/verifications/blocks/:id', async (request) =>
    blocks.lift(tenantOf(request), request.params.id, actorOf(request)),
  );

  const limits = deps.limits;
  if (limits) {
    app.get('/v1/verifications/limits', async (request) => limits.get(tenantOf(request)));
    app.put('/v1/verifications/limits', async (request) =>
      limits.put(tenantOf(request), parseLimitOverrides(request.body), actorOf(request)),
    );
    app.delete('/v1/verifications/limits', async (request, reply) => {
      await limits.reset(tenantOf(request), actorOf(request));
      return reply.status(204).send();
    });
  }

  app.post('/v1/verifications', async (request, reply) => {
    const tenantId = tenantOf(request);
    const record = await verifications.start(tenantId, parseStartVerification(request.body));
    void reply.status(201).header('location', `/v1/verifications/${record.id}`);
    return toVerificationView(record);
  });

  app.get<{ Params: { id: string } }>('/v1/verifications/:id', async (request) => {
    const id = verificationId(request.params.id);
    return toVerificationView(await verifications.get(tenantOf(request), id));
  });

  app.post<{ Params: { id: string } }>('/v1/verifications/:id/check', async (request) => {
    const id = verificationId(request.params.id);
    const { code } = parseCheckVerification(request.body);
    const actor = actorOf(request);
    return toVerificationView(await verifications.check(tenantOf(request), id, code, actor));
  });

  app.post<{ Params: { id: string } }>('/v1/verifications/:id/resend', async (request) => {
    const id = verificationId(request.params.id);
    return toVerificationView(await verifications.resend(tenantOf(request), id));
  });
}

function verificationId(id: string): string {
  if (!isUuid(id)) throw new MasklineError('verification_not_found');
  return id;
}
