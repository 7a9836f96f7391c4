import { type Message, type MessageView, maskPhoneNumber } from '@maskline/core';

/** The API's view of a message: numbers masked, body never echoed. */
export function toMessageView(message: Message, numbers: { to: string; from: string }): MessageView {
  return {
    id: message.id,
    status: message.status,
    to: maskPhoneNumber(numbers.to),
    from: numbers.from.startsWith('+') ? maskPhoneNumber(numbers.from) : numbers.from,
    carrier: message.carrierId,
    carrierMessageId: message.carrierMessageId,
    errorCode: message.errorCode,
    segments: message.segments,
    createdAt: message.createdAt.toISOString(),
    updatedAt: message.updatedAt.toISOString(),
    submittedAt: message.submittedAt?.toISOString() ?? null,
    doneAt: message.doneAt?.toISOString() ?? null,
  };
}
