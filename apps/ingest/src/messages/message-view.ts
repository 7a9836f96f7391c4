import type { Message, MessageView } from '@maskline/core';

/** The API's view of a message: numbers masked, body never echoed. */
export function toMessageView(message: Message, masked: { to: string; from: string }): MessageView {
  return {
    id: message.id,
    status: message.status,
    to: masked.to,
    from: masked.from,
    carrier: message.carrierId,
    carrierMessageId: message.carrierMessageId,
    errorCode: message.errorCode,
    carrierStatus: message.carrierStatus,
    segments: message.segments,
    createdAt: message.createdAt.toISOString(),
    updatedAt: message.updatedAt.toISOString(),
    submittedAt: message.submittedAt?.toISOString() ?? null,
    doneAt: message.doneAt?.toISOString() ?? null,
    kind: message.kind ?? 'transactional',
    route: message.route
      ? { id: message.route.id, carrier: message.carrierId, price: message.route.price }
      : null,
    clientReference: message.clientReference ?? null,
    sandbox: message.sandbox === true,
  };
}
