import { isUuid, MasklineError, maskAddress } from '@maskline/core';
import type { MessageRepository } from '@maskline/storage';
import type { FastifyInstance } from 'fastify';
import { tenantOf } from '../auth/api-key-auth.js';
import type { AcceptMessage } from '../messages/accept-message.js';
import { parseIdempotencyKey, parseSendMessageRequest } from '../messages/message-request.js';
import { toMessageView } from '../messages/message-view.js';

export interface MessageRoutesDeps {
  acceptMessage: AcceptMessage;
  messages: MessageRepository;
  maxBodyChars: number;
}

export async function messageRoutes(app: FastifyInstance, deps: MessageRoutesDeps): Promise<void> {
  app.post('/v1/messages', async (request, reply) => {
    const tenantId = tenantOf(request);
    const idempotencyKey = parseIdempotencyKey(request.headers['idempotency-key']);
    const body = parseSendMessageRequest(request.body, deps.maxBodyChars);
    const { message, created } = await deps.acceptMessage.execute(tenantId, body, idempotencyKey);
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
