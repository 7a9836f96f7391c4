import { type ApiKeyScope, MasklineError } from '@maskline/core';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { runInRequest } from './request-actor.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The API key scope this route requires (filled from ROUTE_SCOPES when not given). */
    scope?: ApiKeyScope;
  }
}

/**
 * The scope every /v1 route requires, by `METHOD /path` as registered (HEAD follows GET).
 * A /v1 route missing here (and not declaring `config.scope` itself) makes the app refuse
 * to start, so no route is ever reachable by every key by accident.
 * docs/reference/api.md ("Scopes") shows this table to users.
 */
export const ROUTE_SCOPES: Readonly<Record<string, ApiKeyScope>> = {
  'POST /v1/messages': 'messages:send',
  'GET /v1/messages': 'messages:read',
  'GET /v1/messages/:id': 'messages:read',
  'POST /v1/messages/:id/reveal': 'reveal:request',
  // Reveal grants (reveal/reveal-grant-routes.ts): ask for one for yourself; another decides.
  'POST /v1/reveal-grants': 'reveal:request',
  'GET /v1/reveal-grants/:id': 'reveal:request',
  'GET /v1/reveal-grants': 'reveal:approve',
  'POST /v1/reveal-grants/:id/approve': 'reveal:approve',
  'POST /v1/reveal-grants/:id/deny': 'reveal:approve',
  'DELETE /v1/reveal-grants/:id': 'reveal:approve',
  'GET /v1/reveal-policy': 'reveal:approve',
  'PUT /v1/reveal-policy': 'reveal:approve',

  'POST /v1/masking/sessions': 'masking:manage',
  'GET /v1/masking/sessions': 'masking:manage',
  'GET /v1/masking/sessions/:id': 'masking:manage',
  'POST /v1/masking/sessions/:id/participants': 'masking:manage',
  'POST /v1/masking/sessions/:id/release': 'masking:manage',
  'POST /v1/masking/sessions/:id/rotate': 'masking:manage',
  'POST /v1/masking/sessions/:id/messages': 'messages:send',
  // A verification is a message with a code the gateway keeps: the sender's scopes.
  'POST /v1/verifications': 'messages:send',
  'GET /v1/verifications/limits': 'routes:manage',
  'PUT /v1/verifications/limits': 'routes:manage',
  'DELETE /v1/verifications/limits': 'routes:manage',
  'POST /v1/verifications/:id/resend': 'messages:send',
  'POST /v1/verifications/:id/check': 'messages:send',
  'GET /v1/verifications/:id': 'messages:read',
  // SMS-pumping blocks decide where the tenant's traffic may go, as routes do: an admin's.
  'GET /v1/verifications/blocks': 'routes:manage',
  'DELETE /v1/verifications/blocks/:id': 'routes:manage',
  'GET /v1/masking/events': 'masking:manage',
  'GET /v1/masking/inbound/:id/code': 'masking:manage',
  'POST /v1/masking/numbers/import': 'pool:admin',
  'GET /v1/masking/numbers/stats': 'pool:admin',
  'GET /v1/masking/numbers/:id': 'pool:admin',
  'POST /v1/masking/numbers/:id/retire': 'pool:admin',

  'POST /v1/webhooks': 'webhooks:manage',
  'GET /v1/webhooks': 'webhooks:manage',
  'GET /v1/webhooks/:id': 'webhooks:manage',
  'PATCH /v1/webhooks/:id': 'webhooks:manage',
  'DELETE /v1/webhooks/:id': 'webhooks:manage',
  'POST /v1/webhooks/:id/rotate-secret': 'webhooks:manage',
  'GET /v1/webhooks/:id/attempts': 'webhooks:manage',
  'POST /v1/webhooks/:id/redeliver': 'webhooks:manage',
  'POST /v1/webhooks/:id/events/:eventId/redeliver': 'webhooks:manage',

  'POST /v1/numbers': 'numbers:manage',
  'GET /v1/numbers': 'numbers:manage',
  'DELETE /v1/numbers/:id': 'numbers:manage',

  'GET /v1/routes': 'routes:manage',
  'POST /v1/routes': 'routes:manage',
  'PUT /v1/routes/:id': 'routes:manage',
  'DELETE /v1/routes/:id': 'routes:manage',
  'GET /v1/carrier-prices': 'routes:manage',
  'GET /v1/routing/residency': 'routes:manage',
  'PUT /v1/routing/residency': 'routes:manage',
  'DELETE /v1/routing/residency': 'routes:manage',

  'POST /v1/api-keys': 'keys:manage',
  'GET /v1/api-keys': 'keys:manage',
  'PATCH /v1/api-keys/:id': 'keys:manage',
  'DELETE /v1/api-keys/:id': 'keys:manage',

  'POST /v1/users': 'users:manage',
  'GET /v1/users': 'users:manage',
  'DELETE /v1/users/:id': 'users:manage',
  'GET /v1/audit-events': 'audit:read',
};

/**
 * The /v1 routes that need no API key, registered outside the authenticated scope (so no
 * auth, scope or rate-limit hook runs). Only the API description: it holds nothing about
 * a tenant, and clients and tools fetch it before they have a key.
 */
export const PUBLIC_ROUTES: readonly string[] = [
  'GET /v1/openapi.json',
  // Sign-in (users/auth-routes.ts): the credential is the body (or the session being ended).
  'POST /v1/auth/setup',
  'POST /v1/auth/setup/confirm',
  'POST /v1/auth/sign-in',
  'POST /v1/auth/mfa',
  'POST /v1/auth/sign-out',
];

/**
 * Call on the app's root before any /v1 route: every /v1 route must be listed, with its
 * scope in ROUTE_SCOPES (or `config.scope`) or in PUBLIC_ROUTES, or registration fails;
 * a route is never public, or unchecked, by accident. (The authenticated scope's own hook,
 * requireRouteScopes, then enforces the scope.)
 */
export function requireV1RoutesListed(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/v1/') || route.config?.scope) return;
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== 'HEAD');
    for (const method of methods) {
      if (!scopeFor(method, route.url) && !PUBLIC_ROUTES.includes(`${method} ${route.url}`)) {
        throw new Error(
          `${method} ${route.url} is in neither ROUTE_SCOPES nor PUBLIC_ROUTES (auth/route-scopes.ts)`,
        );
      }
    }
  });
}

/**
 * What a sandbox (ml_test_) key may call: sending and reading its own messages and
 * verifications. Everything else is refused 403 sandbox_unsupported: the masking pool and
 * its sessions hold real numbers on real carriers, a reveal shows real numbers, and the
 * tenant's keys, routes, webhooks and limits shape its live traffic (docs/guides/sandbox.md).
 */
const SANDBOX_ROUTES: ReadonlySet<string> = new Set([
  'POST /v1/messages',
  'GET /v1/messages',
  'GET /v1/messages/:id',
  'POST /v1/verifications',
  'POST /v1/verifications/:id/resend',
  'POST /v1/verifications/:id/check',
  'GET /v1/verifications/:id',
]);

/** True when a sandbox key may call `method url` (as registered). */
export function sandboxMayCall(method: string, url: string): boolean {
  const verb = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
  return SANDBOX_ROUTES.has(`${verb} ${url}`);
}

/** The scope `method url` requires, or undefined when none is declared. */
export function scopeFor(method: string, url: string): ApiKeyScope | undefined {
  const verb = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
  return ROUTE_SCOPES[`${verb} ${url}`];
}

/**
 * Call on the authenticated scope before its routes are registered: every route gets its
 * scope (or registration fails), and one preHandler answers 403 `forbidden` with
 * `details.scope` to a key without it. The handler then runs as the key (see
 * request-actor.ts), so audit events name `api_key:<id>`.
 */
export function requireRouteScopes(api: FastifyInstance): void {
  api.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const scope = route.config?.scope ?? scopeFor(methods[0] ?? '', route.url);
    if (!scope) {
      throw new Error(`${methods.join(',')} ${route.url} declares no API key scope (auth/route-scopes.ts)`);
    }
    route.config = { ...route.config, scope };
  });
  api.addHook(
    'preHandler',
    (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
      const scope = request.routeOptions.config.scope;
      if (!scope || !request.apiKeyScopes?.includes(scope)) {
        done(new MasklineError('forbidden', { details: { scope: scope ?? 'unknown' } }));
        return;
      }
      if (request.sandbox && !sandboxMayCall(request.method, request.routeOptions.url ?? '')) {
        done(new MasklineError('sandbox_unsupported'));
        return;
      }
      runInRequest({ actor: request.principal, sandbox: request.sandbox === true }, () => done());
    },
  );
}
