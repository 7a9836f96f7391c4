import { USER_ROLES } from '@maskline/core';
import { dateTime, list, nullable, object, type RouteGroupDoc, ref, uuid } from '../openapi/operation-doc.js';

const user = ref('User');
const strict = (properties: Parameters<typeof object>[0], optional: readonly string[] = []) => ({
  ...object(properties, optional),
  additionalProperties: false,
});
const token = { type: 'string', minLength: 1, maxLength: 512 };
const code = { type: 'string', pattern: '^[0-9]{6}$', description: 'The code the authenticator app shows.' };
const SIGN_IN_FAILURES = ['invalid_credentials', 'user_locked', 'auth_rate_limited'] as const;

/** Users, their sign-in and the audit log (docs/guides/users.md, docs/reference/roles.md). */
export const userDocs: RouteGroupDoc = {
  schemas: {
    User: object({
      id: uuid,
      email: { type: 'string', description: 'Masked: a***@example.com.' },
      role: { enum: [...USER_ROLES] },
      status: { enum: ['invited', 'active', 'disabled'] },
      lastSignInAt: nullable(dateTime),
      createdBy: { type: 'string', description: 'The actor: user:<id>, api_key:<id> or cli:<name>.' },
      createdAt: dateTime,
      disabledAt: nullable(dateTime),
    }),
    AuditEvent: object({
      seq: { type: 'integer', minimum: 1 },
      at: dateTime,
      actor: { type: 'string' },
      action: { type: 'string' },
      subject: nullable({ type: 'string' }),
      details: { type: 'object' },
      hash: { type: 'string', description: "The entry's link in the tamper-evident chain (hex)." },
    }),
  },
  operations: [
    {
      method: 'POST',
      path: '/v1/auth/setup',
      operationId: 'beginUserSetup',
      summary: 'Choose a password and get a TOTP secret and recovery codes (setup token, no API key)',
      tag: 'Users',
      public: true,
      body: strict({ setupToken: token, password: { type: 'string', minLength: 12, maxLength: 256 } }),
      responses: {
        200: {
          description: 'Shown once.',
          schema: object({
            totpSecret: { type: 'string' },
            otpauthUri: { type: 'string' },
            recoveryCodes: { type: 'array', items: { type: 'string' } },
          }),
        },
      },
      errors: ['password_too_weak', ...SIGN_IN_FAILURES],
    },
    {
      method: 'POST',
      path: '/v1/auth/setup/confirm',
      operationId: 'confirmUserSetup',
      summary: 'Confirm TOTP enrolment with a code; the setup token is spent',
      tag: 'Users',
      public: true,
      body: strict({ setupToken: token, code }),
      responses: { 200: { description: 'The active user.', schema: user } },
      errors: ['mfa_code_invalid', ...SIGN_IN_FAILURES],
    },
    {
      method: 'POST',
      path: '/v1/auth/sign-in',
      operationId: 'signIn',
      summary: 'Sign in with email and password: a token for the second factor',
      tag: 'Users',
      public: true,
      body: strict({
        email: { type: 'string', maxLength: 320 },
        password: { type: 'string', maxLength: 512 },
      }),
      responses: {
        200: {
          description: 'Password right.',
          schema: object({ mfaToken: { type: 'string' }, expiresAt: dateTime }),
        },
      },
      errors: SIGN_IN_FAILURES,
    },
    {
      method: 'POST',
      path: '/v1/auth/mfa',
      operationId: 'signInSecondFactor',
      summary: 'Second factor (TOTP code or recovery code): the session token',
      tag: 'Users',
      public: true,
      body: {
        oneOf: [strict({ mfaToken: token, code }), strict({ mfaToken: token, recoveryCode: token })],
      },
      responses: {
        200: {
          description: 'Signed in; send `token` as `Authorization: Bearer`.',
          schema: object({ token: { type: 'string' }, expiresAt: dateTime, user }),
        },
      },
      errors: ['mfa_code_invalid', ...SIGN_IN_FAILURES],
    },
    {
      method: 'POST',
      path: '/v1/auth/sign-out',
      operationId: 'signOut',
      summary: 'End the session of the bearer token (ml_sess_…)',
      tag: 'Users',
      public: true,
      responses: { 204: { description: 'Signed out.' } },
      errors: ['unauthorized'],
    },
    {
      method: 'POST',
      path: '/v1/users',
      operationId: 'createUser',
      summary: 'Create a user; its setup token is shown once',
      tag: 'Users',
      body: strict({ email: { type: 'string', maxLength: 320 }, role: { enum: [...USER_ROLES] } }),
      responses: {
        201: {
          description: 'Created.',
          schema: { allOf: [user, object({ setupToken: { type: 'string' } })] },
          location: true,
        },
      },
      errors: ['user_exists', 'user_role_not_allowed'],
    },
    {
      method: 'GET',
      path: '/v1/users',
      operationId: 'listUsers',
      summary: "List the tenant's users (emails masked)",
      tag: 'Users',
      responses: { 200: { description: 'Every user.', schema: list(user) } },
      errors: [],
    },
    {
      method: 'DELETE',
      path: '/v1/users/:id',
      operationId: 'disableUser',
      summary: 'Disable a user and end its sessions',
      tag: 'Users',
      responses: { 204: { description: 'Disabled.' } },
      errors: ['user_not_found', 'user_role_not_allowed'],
    },
    {
      method: 'GET',
      path: '/v1/audit-events',
      operationId: 'listAuditEvents',
      summary: "The tenant's audit log, oldest first",
      tag: 'Audit',
      query: {
        after: {
          schema: { type: 'integer', minimum: 0 },
          description: 'Entries after this sequence number.',
        },
        limit: {
          schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          description: 'Page size.',
        },
        action: { schema: { type: 'string', pattern: '^[a-z_.]{1,64}$' }, description: 'Only this action.' },
      },
      responses: {
        200: {
          description: 'A page of entries; `nextAfter` continues it.',
          schema: object({
            data: { type: 'array', items: ref('AuditEvent') },
            nextAfter: nullable({ type: 'integer' }),
          }),
        },
      },
      errors: [],
    },
  ],
};
