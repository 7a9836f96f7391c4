import type { ErrorCode } from '@maskline/core';
import { CAPABILITIES, INBOX_DELIVERIES, MASKING_MODES, NON_PARTICIPANT_POLICIES } from '@maskline/masking';
import {
  dateTime,
  list,
  nullable,
  type OperationDoc,
  object,
  type RouteGroupDoc,
  ref,
  uuid,
} from '../openapi/operation-doc.js';
import { zodSchema } from '../openapi/zod-schema.js';
import { mapSchema, reserveSchema } from './masking-requests.js';

const TAG = 'Masking';
const session = ref('MaskingSession');
const page = {
  limit: { schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 }, description: 'Page size.' },
  cursor: { schema: uuid, description: 'nextCursor of the previous page.' },
};
const SESSION: readonly ErrorCode[] = ['masking_session_not_found'];

/** A masking-session route answering the session. */
function sessionOp(
  path: string,
  operationId: string,
  summary: string,
  errors: readonly ErrorCode[],
): OperationDoc {
  return {
    method: 'POST',
    path,
    operationId,
    summary,
    tag: TAG,
    responses: { 200: { description: 'The session.', schema: session } },
    errors: [...SESSION, ...errors],
  };
}

/** /v1/masking/...: sessions, their messages, events and the number pool (docs/guides/number-masking.md). */
export const maskingDocs: RouteGroupDoc = {
  schemas: {
    MaskingSession: {
      ...object({
        id: uuid,
        mode: { enum: [...MASKING_MODES] },
        state: { enum: ['active', 'released', 'expired'] },
        virtualNumber: { type: 'string' },
        country: nullable({ type: 'string' }),
        carrier: nullable({ type: 'string' }),
        capabilities: { type: 'array', items: { enum: [...CAPABILITIES] } },
        nonParticipantPolicy: { enum: [...NON_PARTICIPANT_POLICIES] },
        inboxDelivery: { enum: [...INBOX_DELIVERIES] },
        participants: {
          type: 'array',
          items: object({ id: uuid, number: { type: 'string', description: 'Masked.' } }),
        },
        expiresAt: dateTime,
        createdAt: dateTime,
        closedAt: nullable(dateTime),
      }),
      description: 'A masking session; participants are shown masked.',
    },
    ReserveSessionRequest: zodSchema(reserveSchema),
    VirtualNumber: object({
      id: uuid,
      number: { type: 'string' },
      country: { type: 'string' },
      carrier: { type: 'string' },
      capabilities: { type: 'array', items: { enum: [...CAPABILITIES] } },
      region: nullable({ type: 'string' }),
      state: { enum: ['available', 'reserved', 'quarantined', 'retired'] },
      quarantinedUntil: nullable(dateTime),
    }),
    MaskingEvent: object({
      id: uuid,
      type: { type: 'string' },
      sessionId: nullable(uuid),
      payload: { type: 'object' },
      createdAt: dateTime,
    }),
  },
  operations: [
    {
      method: 'POST',
      path: '/v1/masking/sessions',
      operationId: 'reserveMaskingSession',
      summary: 'Reserve a masking session',
      tag: TAG,
      body: ref('ReserveSessionRequest'),
      bodyOptional: true,
      idempotencyKey: true,
      responses: {
        201: { description: 'Reserved.', schema: session, location: true },
        200: {
          description: 'A replay of an earlier request with the same Idempotency-Key.',
          schema: session,
        },
      },
      errors: [
        'invalid_phone_number',
        'masking_participants_invalid',
        'pool_exhausted',
        'idempotency_conflict',
      ],
    },
    {
      method: 'GET',
      path: '/v1/masking/sessions',
      operationId: 'listMaskingSessions',
      summary: 'List masking sessions',
      tag: TAG,
      query: {
        ...page,
        state: {
          schema: { enum: ['active', 'released', 'expired'] },
          description: 'Only sessions in this state.',
        },
      },
      responses: { 200: { description: 'One page.', schema: list(session, true) } },
      errors: ['invalid_request'],
    },
    {
      method: 'GET',
      path: '/v1/masking/sessions/:id',
      operationId: 'getMaskingSession',
      summary: 'Get a masking session',
      tag: TAG,
      responses: { 200: { description: 'The session.', schema: session } },
      errors: SESSION,
    },
    {
      ...sessionOp('/v1/masking/sessions/:id/participants', 'mapMaskingParticipants', 'Add participants', [
        'invalid_phone_number',
        'masking_participants_invalid',
        'masking_session_closed',
      ]),
      body: zodSchema(mapSchema),
    },
    sessionOp('/v1/masking/sessions/:id/release', 'releaseMaskingSession', 'Release a session', []),
    sessionOp('/v1/masking/sessions/:id/rotate', 'rotateMaskingSession', "Rotate a session's number", [
      'masking_session_closed',
      'pool_exhausted',
    ]),
    {
      method: 'POST',
      path: '/v1/masking/sessions/:id/messages',
      operationId: 'sendMaskingSessionMessage',
      summary: 'Send a message from the session number to a participant',
      tag: TAG,
      idempotencyKey: true,
      body: {
        ...object(
          { to: { ...uuid, description: 'A participant id, never a number.' }, body: { type: 'string' } },
          ['to'],
        ),
        additionalProperties: false,
      },
      responses: {
        202: { description: 'Accepted and queued.', schema: ref('Message'), location: true },
        200: {
          description: 'A replay of an earlier request with the same Idempotency-Key.',
          schema: ref('Message'),
        },
      },
      errors: [
        ...SESSION,
        'masking_session_closed',
        'message_body_invalid',
        'idempotency_conflict',
        'no_route',
      ],
    },
    {
      method: 'GET',
      path: '/v1/masking/inbound/:id/code',
      operationId: 'getInboundCode',
      summary: 'The code found in an inbound message',
      tag: TAG,
      responses: {
        200: {
          description: 'The code and brand found in the message body (null: none found).',
          schema: object({
            inboundId: uuid,
            sessionId: uuid,
            code: nullable({ type: 'string' }),
            brand: nullable({ type: 'string' }),
          }),
        },
      },
      errors: ['inbound_message_not_found'],
    },
    {
      method: 'GET',
      path: '/v1/masking/events',
      operationId: 'listMaskingEvents',
      summary: 'List masking events',
      tag: TAG,
      query: {
        ...page,
        type: {
          schema: { type: 'string', pattern: '^[a-z_.]{1,64}$' },
          description: 'Only events of this type.',
        },
      },
      responses: { 200: { description: 'One page.', schema: list(ref('MaskingEvent'), true) } },
      errors: ['invalid_request'],
    },
    {
      method: 'POST',
      path: '/v1/masking/numbers/import',
      operationId: 'importVirtualNumbers',
      summary: 'Import numbers into the pool (JSON, or CSV with ?carrier=)',
      tag: TAG,
      query: {
        carrier: {
          schema: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,62}$' },
          description: 'For a CSV body.',
        },
      },
      body: {
        ...object({ carrier: { type: 'string' }, numbers: { type: 'array', minItems: 1 } }),
        additionalProperties: false,
      },
      alsoCsv: true,
      responses: {
        200: {
          description: 'What was imported; rows refused are listed with their code.',
          schema: object({
            carrier: { type: 'string' },
            received: { type: 'integer', minimum: 0 },
            imported: { type: 'integer', minimum: 0 },
            numbers: {
              type: 'array',
              items: object({ row: { type: 'integer' }, id: uuid, number: { type: 'string' } }),
            },
            errors: {
              type: 'array',
              items: object({
                row: { type: 'integer' },
                field: nullable({ type: 'string' }),
                code: ref('ErrorCode'),
                message: { type: 'string' },
              }),
            },
          }),
        },
      },
      errors: ['invalid_phone_number', 'virtual_number_exists'],
    },
    {
      method: 'GET',
      path: '/v1/masking/numbers/stats',
      operationId: 'getPoolStats',
      summary: 'Pool statistics',
      tag: TAG,
      responses: {
        200: {
          description: 'Pool numbers counted by country, carrier and state.',
          schema: list(
            object({
              country: { type: 'string' },
              carrier: { type: 'string' },
              state: { enum: ['available', 'reserved', 'quarantined', 'retired'] },
              count: { type: 'integer', minimum: 0 },
            }),
          ),
        },
      },
      errors: [],
    },
    {
      method: 'GET',
      path: '/v1/masking/numbers/:id',
      operationId: 'getVirtualNumber',
      summary: 'Get a pool number',
      tag: TAG,
      responses: { 200: { description: 'The number.', schema: ref('VirtualNumber') } },
      errors: ['virtual_number_not_found'],
    },
    {
      method: 'POST',
      path: '/v1/masking/numbers/:id/retire',
      operationId: 'retireVirtualNumber',
      summary: 'Retire a pool number',
      tag: TAG,
      responses: { 200: { description: 'The number.', schema: ref('VirtualNumber') } },
      errors: ['virtual_number_not_found', 'virtual_number_in_use'],
    },
  ],
};
