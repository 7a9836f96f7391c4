import { isUuid, MasklineError, maskAddress } from '@maskline/core';
import type { MessageRepository } from '@maskline/storage';
import { callbackNotRegistered, type StatusCallback } from '@maskline/webhooks';
import type { FastifyInstance } from 'fastify';
import { tenantOf } from '../auth/api-key-auth.js';
import type { AcceptMessage } from '../messages/accept-message.js';
import { parseIdempotencyKey, parseSendMessageRequest } from '../messages/message-request.js';
import { toMessageView } from '../messages/message-view.js';
import type { StatusCallbacks } from '../messages/status-callbacks.js';

export interface MessageRoutesDeps {
  acceptMessage: AcceptMessage;
  messages: MessageRepository;
  maxBodyChars: number;
  /** Absent (tests without webhooks): a statusCallback matches no endpoint. */
  statusCallbacks?: StatusCallbacks;
}

export async function messageRoutes(app: FastifyInstance, deps: MessageRoutesDeps): Promise<void> {
  app.post('/v1/messages', async (request, reply) => {
    const tenantId = tenantOf(request);
    const idempotencyKey = parseIdempotencyKey(request.headers['idempotency-key']);
    const body = parseSendMessageRequest(request.body, deps.maxBodyChars);
    const callback = await statusCallbackOf(deps, tenantId, body.statusCallback);
    const { message, created } = await deps.acceptMessage.execute(tenantId, body, idempotencyKey, callback);
    void reply.status(created ? 202 : 200).header('location', `/v1/messages/${message.id}`);
    return toMessageView(message, { to: maskAddress(body.to), from: maskAddress(body.from) });
  });

  app.get<{ Params: { id: string } }>('/v1/messages/:id', async (request) => {
    const tenantId = tenantOf(request);
    const { id } = request.params;
    if (!isUuid(id)) throw new MasklineError('message_not_found');
    const message = await deps.messages.findForTenant(tenantId, id);
    const numbers = message ? await deps.messages.findMaskedNumbers(id) : null;
    if (!message || !numbers) throw new MasklineError('message_not_found');
    return toMessageView(message, numbers);
  });
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
