import { MasklineError } from '../errors/maskline-error.js';

/**
 * What an API key may do. Every /v1 route requires exactly one scope
 * (apps/ingest/src/auth/route-scopes.ts); a key lacking it gets 403 `forbidden`.
 * docs/reference/api.md ("Scopes") lists which route needs which.
 */
export const API_KEY_SCOPES = [
  'messages:send',
  'messages:read',
  'masking:manage',
  'pool:admin',
  'webhooks:manage',
  'reveal:request',
  'reveal:approve',
  'audit:read',
  'routes:manage',
  'numbers:manage',
  'keys:manage',
  'users:manage',
] as const;

export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

const KNOWN = new Set<string>(API_KEY_SCOPES);

export function isApiKeyScope(value: string): value is ApiKeyScope {
  return KNOWN.has(value);
}

/** The key environments: `ml_live_...` and `ml_test_...`. */
export const API_KEY_ENVIRONMENTS = ['live', 'test'] as const;
export type ApiKeyEnvironment = (typeof API_KEY_ENVIRONMENTS)[number];

/**
 * Validates a list of scopes (the API's `scopes` array, the CLI's `--scopes a,b`): at
 * least one, each known, duplicates dropped. Unknown ones are named (they are our words,
 * never user data beyond 40 characters).
 */
export function parseScopes(input: unknown, field = 'scopes'): ApiKeyScope[] {
  const list = typeof input === 'string' ? input.split(',').map((s) => s.trim()) : input;
  if (!Array.isArray(list) || list.length === 0 || list.some((s) => typeof s !== 'string')) {
    throw new MasklineError('invalid_request', {
      message: `${field} must list at least one scope.`,
      details: { field },
    });
  }
  const unknown = (list as string[]).find((s) => !isApiKeyScope(s));
  if (unknown !== undefined) {
    throw new MasklineError('invalid_request', {
      message: `Unknown scope: ${unknown.slice(0, 40)}. Known scopes: ${API_KEY_SCOPES.join(', ')}.`,
      details: { field },
    });
  }
  return [...new Set(list as ApiKeyScope[])];
}
