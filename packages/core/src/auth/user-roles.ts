import { API_KEY_SCOPES, type ApiKeyScope } from './api-key-scopes.js';

/**
 * Roles of human users (docs/reference/roles.md). A signed-in user may do what the scopes
 * of its role allow, on the same routes and with the same checks as an API key holding
 * those scopes (apps/ingest/src/auth/route-scopes.ts).
 */
export const USER_ROLES = ['owner', 'admin', 'developer', 'analyst', 'auditor'] as const;
export type UserRole = (typeof USER_ROLES)[number];

const EVERY_SCOPE: readonly ApiKeyScope[] = API_KEY_SCOPES;

/**
 * What each role may do:
 * - owner, admin: everything (an admin cannot make or remove an owner: users-service).
 * - developer: build the integration (send, read, masking, webhooks, routes, numbers, keys);
 *   no pool administration, no reveal, no audit log, no users.
 * - analyst: metadata only (messages and verifications as the API shows them: masked
 *   numbers, never a body), nothing that changes anything.
 * - auditor: the audit log only.
 */
export const ROLE_SCOPES: Readonly<Record<UserRole, readonly ApiKeyScope[]>> = {
  owner: EVERY_SCOPE,
  admin: EVERY_SCOPE,
  developer: [
    'messages:send',
    'messages:read',
    'masking:manage',
    'webhooks:manage',
    'routes:manage',
    'numbers:manage',
    'keys:manage',
  ],
  analyst: ['messages:read'],
  auditor: ['audit:read'],
};

const KNOWN = new Set<string>(USER_ROLES);

export function isUserRole(value: unknown): value is UserRole {
  return typeof value === 'string' && KNOWN.has(value);
}
