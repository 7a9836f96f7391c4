import { dateTime, list, nullable, object, type RouteGroupDoc, ref, uuid } from '../openapi/operation-doc.js';

const grant = ref('RevealGrant');
const id = 'reveal_grant_not_found' as const;

/** Reveal grants and the four-eyes policy (docs/guides/reveal-approval.md). */
export const revealGrantDocs: RouteGroupDoc = {
  schemas: {
    RevealGrant: object({
      id: uuid,
      holder: { type: 'string', description: 'Who may reveal: user:<id> or api_key:<id>.' },
      state: { enum: ['pending', 'active', 'denied', 'revoked', 'expired'] },
      reason: { type: 'string' },
      requestedBy: nullable({ type: 'string' }),
      decidedBy: nullable({ type: 'string' }),
      decidedAt: nullable(dateTime),
      expiresAt: {
        ...dateTime,
        description: 'Active: when it ends. Pending: when the request lapses undecided.',
      },
      createdAt: dateTime,
    }),
  },
  operations: [
    {
      method: 'POST',
      path: '/v1/reveal-grants',
      operationId: 'requestRevealGrant',
      summary: 'Ask to see real numbers for a while (pending until another person approves, under four eyes)',
      tag: 'Reveal',
      body: {
        ...object(
          {
            reason: {
              type: 'string',
              minLength: 3,
              maxLength: 200,
              description: 'A ticket or case; never a number.',
            },
            durationMinutes: { type: 'integer', minimum: 1, maximum: 60, default: 15 },
          },
          ['durationMinutes'],
        ),
        additionalProperties: false,
      },
      responses: {
        201: { description: 'Requested (pending) or granted (active).', schema: grant, location: true },
      },
      errors: [],
    },
    {
      method: 'GET',
      path: '/v1/reveal-grants/:id',
      operationId: 'getOwnRevealGrant',
      summary: 'One of your own reveal grants',
      tag: 'Reveal',
      responses: { 200: { description: 'The grant.', schema: grant } },
      errors: [id],
    },
    {
      method: 'GET',
      path: '/v1/reveal-grants',
      operationId: 'listRevealGrants',
      summary: "The tenant's reveal grants, newest first (at most 100)",
      tag: 'Reveal',
      query: {
        state: {
          schema: { enum: ['pending', 'active', 'denied'] },
          description: 'Only grants in this state.',
        },
      },
      responses: { 200: { description: 'The grants.', schema: list(grant) } },
      errors: ['invalid_request'],
    },
    ...(['approve', 'deny'] as const).map((verb) => ({
      method: 'POST' as const,
      path: `/v1/reveal-grants/:id/${verb}`,
      operationId: `${verb}RevealGrant`,
      summary: `${verb === 'approve' ? 'Approve' : 'Deny'} a pending reveal request (a signed-in user other than the requester)`,
      tag: 'Reveal',
      responses: { 200: { description: 'The decided grant.', schema: grant } },
      errors: [id, 'reveal_grant_not_pending', 'reveal_four_eyes'] as const,
    })),
    {
      method: 'DELETE',
      path: '/v1/reveal-grants/:id',
      operationId: 'revokeRevealGrant',
      summary: 'End a reveal grant now (any state)',
      tag: 'Reveal',
      responses: { 204: { description: 'Revoked.' } },
      errors: [id],
    },
    {
      method: 'GET',
      path: '/v1/reveal-policy',
      operationId: 'getRevealPolicy',
      summary: 'Whether a reveal request needs a second person',
      tag: 'Reveal',
      responses: { 200: { description: 'The policy.', schema: object({ fourEyes: { type: 'boolean' } }) } },
      errors: [],
    },
    {
      method: 'PUT',
      path: '/v1/reveal-policy',
      operationId: 'setRevealPolicy',
      summary: 'Require (or stop requiring) a second person for reveal requests (audited)',
      tag: 'Reveal',
      body: { ...object({ fourEyes: { type: 'boolean' } }), additionalProperties: false },
      responses: { 200: { description: 'The policy.', schema: object({ fourEyes: { type: 'boolean' } }) } },
      errors: [],
    },
  ],
};
