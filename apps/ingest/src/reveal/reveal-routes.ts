import { type AuditRecorder, isUuid, MasklineError } from '@maskline/core';
import type { MessageRepository, RevealGrantRepository } from '@maskline/storage';
import type { FastifyInstance } from 'fastify';
import type { AnomalyDetectors } from '../anomalies/anomaly-detectors.js';
import { actorOf, tenantOf } from '../auth/api-key-auth.js';
import { holderOf } from './reveal-grant-service.js';

export interface RevealRoutesDeps {
  messages: MessageRepository;
  grants: RevealGrantRepository;
  audit: AuditRecorder;
  /** Counts reveal requests per principal (a burst raises a security alert). */
  anomalies?: Pick<AnomalyDetectors, 'revealed'>;
}

/**
 * POST /v1/messages/:id/reveal: a message's real numbers, for an API key or a signed-in
 * user holding a reveal grant in force (the vault CLI's, or one requested and approved
 * through /v1/reveal-grants). The audit event is written first: no audit, no reveal.
 */
export async function revealRoutes(app: FastifyInstance, deps: RevealRoutesDeps): Promise<void> {
  app.post<{ Params: { id: string } }>('/v1/messages/:id/reveal', async (request, reply) => {
    const tenantId = tenantOf(request);
    const { id } = request.params;
    // Every request counts, granted or not: a burst of refused ones is a probe too. Not
    // awaited: the detector never throws, and never holds the answer.
    void deps.anomalies?.revealed(tenantId, actorOf(request));
    const holder = holderOf(actorOf(request));
    const grant = holder ? await deps.grants.findActive(holder) : null;
    if (!grant || grant.tenantId !== tenantId) {
      await deps.audit.record({
        tenantId,
        actor: actorOf(request),
        action: 'number.reveal_denied',
        subject: isUuid(id) ? `message:${id}` : null,
        details: {},
      });
      throw new MasklineError('reveal_not_granted');
    }
    if (!isUuid(id)) throw new MasklineError('message_not_found');
    const message = await deps.messages.findForTenant(tenantId, id);
    if (!message) throw new MasklineError('message_not_found');
    await deps.audit.record({
      tenantId,
      actor: actorOf(request),
      action: 'number.revealed',
      subject: `message:${id}`,
      details: { grantId: grant.id, fields: 'to,from' },
    });
    const numbers = await deps.messages.revealNumbers(tenantId, id);
    if (!numbers) throw new MasklineError('message_not_found');
    void reply.header('cache-control', 'no-store');
    return { id, to: numbers.to, from: numbers.from, grantExpiresAt: grant.expiresAt.toISOString() };
  });
}
