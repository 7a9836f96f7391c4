import { MESSAGE_STATUSES } from '@maskline/core';
import { MESSAGE_KINDS } from '@maskline/routing';
import { dateTime, list, nullable, object, type RouteGroupDoc, ref, uuid } from '../openapi/operation-doc.js';
import { LIST_DEFAULT_LIMIT, LIST_MAX_LIMIT } from './message-list-request.js';

const CLIENT_KINDS = MESSAGE_KINDS.filter((k) => k !== 'masking_relay');
const clientReference = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[\\x20-\\x7e]+$' };

/** POST/GET /v1/messages, GET /v1/messages/{id}, POST /v1/messages/{id}/reveal. */
export const messageDocs: RouteGroupDoc = {
  schemas: {
    SendMessageRequest: {
      ...object(
        {
          to: { type: 'string', description: 'The destination, E.164.' },
          from: {
            type: 'string',
            description: 'An E.164 number or an alphanumeric sender id of 1 to 11 characters.',
          },
          body: { type: 'string', minLength: 1, description: 'At most MAX_BODY_CHARS characters.' },
          statusCallback: { type: 'string', description: 'A URL under one of your webhook endpoints.' },
          kind: { enum: CLIENT_KINDS, default: 'transactional' },
          clientReference: { ...clientReference, description: 'Your own reference; never a phone number.' },
        },
        ['statusCallback', 'kind', 'clientReference'],
      ),
      additionalProperties: false,
    },
    Message: object({
      id: uuid,
      status: { enum: [...MESSAGE_STATUSES] },
      to: { type: 'string', description: 'Masked, e.g. +4477*****23.' },
      from: { type: 'string', description: 'Masked as `to` is.' },
      carrier: { type: 'string' },
      carrierMessageId: nullable({ type: 'string' }),
      errorCode: nullable({ type: 'string' }),
      carrierStatus: nullable({
        type: 'object',
        description: "The carrier's answer to the last failed submit.",
      }),
      segments: { type: 'integer', minimum: 0 },
      createdAt: dateTime,
      updatedAt: dateTime,
      submittedAt: nullable(dateTime),
      doneAt: nullable(dateTime),
      kind: { type: 'string' },
      route: nullable(
        object({
          id: { type: 'string' },
          carrier: { type: 'string' },
          price: nullable(object({ micros: { type: 'integer' }, currency: { type: 'string' } })),
        }),
      ),
      clientReference: nullable({ type: 'string' }),
      sandbox: {
        type: 'boolean',
        description: 'Sent with an ml_test_ key: on the sandbox carrier, listed apart.',
      },
    }),
  },
  operations: [
    {
      method: 'POST',
      path: '/v1/messages',
      operationId: 'sendMessage',
      summary: 'Send a message',
      tag: 'Messages',
      body: ref('SendMessageRequest'),
      idempotencyKey: true,
      responses: {
        202: { description: 'Accepted and queued.', schema: ref('Message'), location: true },
        200: {
          description: 'A replay of an earlier request with the same Idempotency-Key.',
          schema: ref('Message'),
        },
      },
      errors: [
        'invalid_request',
        'invalid_phone_number',
        'sandbox_unavailable',
        'message_body_invalid',
        'invalid_webhook_url',
        'status_callback_not_registered',
        'idempotency_conflict',
        'no_route',
        'route_residency_violation',
        'tenant_keys_destroyed',
      ],
    },
    {
      method: 'GET',
      path: '/v1/messages',
      operationId: 'listMessages',
      summary: 'List messages, newest first',
      tag: 'Messages',
      query: {
        limit: {
          schema: { type: 'integer', minimum: 1, maximum: LIST_MAX_LIMIT, default: LIST_DEFAULT_LIMIT },
          description: 'Page size.',
        },
        cursor: {
          schema: { type: 'string', maxLength: 200 },
          description: 'nextCursor of the previous page.',
        },
        status: { schema: { enum: [...MESSAGE_STATUSES] }, description: 'Only messages in this status.' },
        created_after: { schema: dateTime, description: 'Created at or after (with an offset).' },
        created_before: { schema: dateTime, description: 'Created before (with an offset).' },
        client_reference: { schema: clientReference, description: 'Only messages with this reference.' },
      },
      responses: { 200: { description: 'One page.', schema: list(ref('Message'), true) } },
      errors: ['invalid_request'],
    },
    {
      method: 'GET',
      path: '/v1/messages/:id',
      operationId: 'getMessage',
      summary: 'Get a message',
      tag: 'Messages',
      responses: { 200: { description: 'The message.', schema: ref('Message') } },
      errors: ['message_not_found'],
    },
    {
      method: 'POST',
      path: '/v1/messages/:id/reveal',
      operationId: 'revealMessageNumbers',
      summary: "Reveal a message's real numbers (needs a reveal grant; audited)",
      tag: 'Messages',
      responses: {
        200: {
          description: 'The real numbers (Cache-Control: no-store).',
          schema: object({
            id: uuid,
            to: { type: 'string' },
            from: { type: 'string' },
            grantExpiresAt: dateTime,
          }),
        },
      },
      errors: ['reveal_not_granted', 'message_not_found', 'tenant_keys_destroyed'],
    },
  ],
};
