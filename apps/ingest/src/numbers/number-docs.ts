import {
  dateTime,
  e164,
  list,
  nullable,
  object,
  type RouteGroupDoc,
  ref,
  uuid,
} from '../openapi/operation-doc.js';

/** /v1/numbers: the tenant's own business numbers. */
export const numberDocs: RouteGroupDoc = {
  schemas: {
    TenantNumber: object({
      id: uuid,
      number: e164,
      carrier: nullable({ type: 'string' }),
      label: nullable({ type: 'string' }),
      createdAt: dateTime,
    }),
  },
  operations: [
    {
      method: 'POST',
      path: '/v1/numbers',
      operationId: 'registerNumber',
      summary: 'Register one of your numbers',
      tag: 'Numbers',
      body: {
        ...object(
          {
            number: e164,
            carrier: nullable({ type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,62}$' }),
            label: nullable({ type: 'string', minLength: 1, maxLength: 100 }),
          },
          ['carrier', 'label'],
        ),
        additionalProperties: false,
      },
      responses: { 201: { description: 'Registered.', schema: ref('TenantNumber'), location: true } },
      errors: ['invalid_phone_number', 'number_already_registered', 'number_in_masking_pool'],
    },
    {
      method: 'GET',
      path: '/v1/numbers',
      operationId: 'listNumbers',
      summary: 'List your numbers',
      tag: 'Numbers',
      responses: { 200: { description: 'Every number.', schema: list(ref('TenantNumber')) } },
      errors: [],
    },
    {
      method: 'DELETE',
      path: '/v1/numbers/:id',
      operationId: 'removeNumber',
      summary: 'Remove a number',
      tag: 'Numbers',
      responses: { 204: { description: 'Removed.' } },
      errors: ['number_not_found'],
    },
  ],
};
