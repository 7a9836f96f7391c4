import { isUuid, MasklineError } from '@maskline/core';
import type { AuditLog } from '@maskline/vault';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { actorOf, tenantOf } from '../auth/api-key-auth.js';
import { parseCreateUser } from './user-requests.js';
import type { UserService } from './user-service.js';
import { toUserView } from './user-view.js';

export interface UserRoutesDeps {
  users: UserService;
  auditLog: Pick<AuditLog, 'list'>;
}

const actor = (request: FastifyRequest) => ({ id: actorOf(request), role: request.userRole ?? null });

/** Users (users:manage) and the audit log (audit:read). */
export async function userRoutes(app: FastifyInstance, deps: UserRoutesDeps): Promise<void> {
  app.post('/v1/users', async (request, reply) => {
    const { user, setupToken } = await deps.users.create(
      tenantOf(request),
      parseCreateUser(request.body),
      actor(request),
    );
    void reply.status(201).header('location', `/v1/users/${user.id}`).header('cache-control', 'no-store');
    return { ...toUserView(user), setupToken };
  });

  app.get('/v1/users', async (request) => ({
    data: (await deps.users.list(tenantOf(request))).map(toUserView),
  }));

  app.delete<{ Params: { id: string } }>('/v1/users/:id', async (request, reply) => {
    if (!isUuid(request.params.id)) throw new MasklineError('user_not_found');
    await deps.users.disable(tenantOf(request), request.params.id, actor(request));
    return reply.status(204).send();
  });

  app.get<{ Querystring: { action?: string; after?: string; limit?: string } }>(
    '/v1/audit-events',
    async (request) => {
      const { action, after, limit } = request.query;
      const afterSeq = after === undefined ? 0 : Number(after);
      const size = limit === undefined ? 100 : Number(limit);
      if (!Number.isSafeInteger(afterSeq) || afterSeq < 0) {
        throw new MasklineError('invalid_request', {
          message: 'after must be a sequence number.',
          details: { field: 'after' },
        });
      }
      if (!Number.isInteger(size) || size < 1 || size > 1000) {
        throw new MasklineError('invalid_request', {
          message: 'limit must be 1 to 1000.',
          details: { field: 'limit' },
        });
      }
      if (action !== undefined && !/^[a-z_.]{1,64}$/.test(action)) {
        throw new MasklineError('invalid_request', {
          message: 'action is not an audit action.',
          details: { field: 'action' },
        });
      }
      const entries = await deps.auditLog.list({
        tenantId: tenantOf(request),
        afterSeq,
        limit: size,
        ...(action ? { action } : {}),
      });
      return {
        data: entries.map((e) => ({
          seq: e.seq,
          at: e.at.toISOString(),
          actor: e.actor,
          action: e.action,
          subject: e.subject,
          details: e.details,
          hash: e.hash.toString('hex'),
        })),
        nextAfter: entries.length === size ? entries.at(-1)!.seq : null,
      };
    },
  );
}
