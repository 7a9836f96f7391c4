import { type AuditRecorder, isUuid, MasklineError, maskAddress } from '@maskline/core';
import type { MessageRepository } from '@maskline/storage';
import { callbackNotRegistered, type StatusCallback } from '@maskline/webhooks';
import type { FastifyInstance } from 'fastify';
import { actorOf, tenantOf } from '../auth/api-key-auth.js';
import { markReplayed } from '../idempotency/replayed.js';
import type { AcceptMessage } from '../messages/accept-message.js';
import { encodeCursor, parseMessageListQuery } from '../messages/message-list-request.js';
import { parseIdempotencyKey, parseSendMessageRequest } from '../messages/message-request.js';
import { toMessageView } from '../messages/message-view.js';
import type { StatusCallbacks } from '../messages/status-callbacks.js';

export interface MessageRoutesDeps {
  acceptMessage: AcceptMessage;
  messages: MessageRepository;
  maxBodyChars: number;
  /** Where a residency refusal is recorded. */
  audit: AuditRecorder;
  /** Absent (tests without webhooks): a statusCallback matches no endpoint. */
  statusCallbacks?: StatusCallbacks;
}

export async function messageRoutes(app: FastifyInstance, deps: MessageRoutesDeps): Promise<void> {
  app.post('/v1/messages', async (request, reply) => {
    const tenantId = tenantOf(request);
    const idempotencyKey = parseIdempotencyKey(request.headers['idempotency-key']);
    const body = parseSendMessageRequest(request.body, deps.maxBodyChars);
    const callback = await statusCallbackOf(deps, tenantId, body.statusCallback);
    const { message, created } = await deps.acceptMessage
      .execute(tenantId, body, idempotencyKey, callback)
      .catch((error: unknown) => auditRefusal(deps.audit, actorOf(request), tenantId, body.kind, error));
    void reply.status(created ? 202 : 200).header('location', `/v1/messages/${message.id}`);
    if (!created) markReplayed(reply);
    return toMessageView(message, { to: maskAddress(body.to), from: maskAddress(body.from) });
  });

  // The tenant's messages, newest first, filtered and paged by an opaque cursor; each item
  // is shaped as GET /v1/messages/{id} answers it (numbers masked, body never shown). A
  // test key lists only sandbox messages, a live key or user only live ones.
  app.get('/v1/messages', async (request) => {
    const query = parseMessageListQuery(request.query);
    const page = await deps.messages.listForTenant(tenantOf(request), {
      ...query,
      sandbox: request.sandbox === true,
    });
    return {
      data: page.items.map((item) => toMessageView(item.message, item.masked)),
      nextCursor: page.next ? encodeCursor(page.next) : null,
    };
  });

  app.get<{ Params: { id: string } }>('/v1/messages/:id', async (request) => {
    const tenantId = tenantOf(request);
    const { id } = request.params;
    if (!isUuid(id)) throw new MasklineError('message_not_found');
    // The other environment's message is not found (as another tenant's is not).
    const message = await deps.messages.findForTenant(tenantId, id, request.sandbox === true);
    const numbers = message ? await deps.messages.findMaskedNumbers(id) : null;
    if (!message || !numbers) throw new MasklineError('message_not_found');
    return toMessageView(message, numbers);
  });
}

/**
 * A message refused for data residency is an event the tenant's compliance officer must
 * be able to find: it goes to the audit log (ids and codes only, never the number), then
 * the refusal answers 422 as usual.
 */
async function auditRefusal(
  audit: AuditRecorder,
  actor: string,
  tenantId: string,
  kind: string | undefined,
  error: unknown,
): Promise<never> {
  if (error instanceof MasklineError && error.code === 'route_residency_violation') {
    await audit.record({
      tenantId,
      actor,
      action: 'message.route_residency_violation',
      subject: null,
      details: { kind: kind ?? 'transactional' },
    });
  }
  throw error;
}

/** Only a request that names a statusCallback pays for it (a cached lookup). */
async function statusCallbackOf(
  deps: MessageRoutesDeps,
  tenantId: string,
  requested: string | undefined,
): Promise<StatusCallback | null> {
  if (requested === undefined) return null;
  if (!deps.statusCallbacks) throw callbackNotRegistered();
  return deps.statusCallbacks.resolve(tenantId, requested);
}
