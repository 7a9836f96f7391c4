import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { MasklineError } from '@maskline/core';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SessionAuthenticator } from '../auth/api-key-auth.js';
import type { AuthFailureThrottle } from '../rate-limits/auth-failure-throttle.js';
import { throttleAuthFailures } from '../rate-limits/rate-limit-hooks.js';
import { cookieValue, DASHBOARD_COOKIE, type DashboardCookies } from './dashboard-cookie.js';

/** Where the dashboard is served (never under /v1: it is not part of the API). */
export const QUEUE_DASHBOARD_PATH = '/admin/queues';

const SESSION_PATH = `${QUEUE_DASHBOARD_PATH}/session`;
const SIGN_IN_PATH = `${QUEUE_DASHBOARD_PATH}/sign-in`;
const SESSION_PREFIX = 'ml_sess_';
const ADMIN_ROLES = new Set(['owner', 'admin']);

/** The session token each authenticated request proved itself with (for POST /session). */
const provenTokens = new WeakMap<FastifyRequest, string>();

export interface QueueDashboardDeps {
  /** Every queue of the deployment (queue-dashboard-queues.ts). */
  queues: readonly Queue[];
  sessions: SessionAuthenticator;
  cookies: DashboardCookies;
  /** QUEUE_DASHBOARD_TENANT: only this tenant's owners and admins may open it (absent: any tenant's). */
  tenantId?: string;
  /** The per-address authentication failure throttle of the API, shared. */
  throttle?: AuthFailureThrottle;
}

/**
 * Bull Board on /admin/queues, read-only, for signed-in owners and admins only
 * (docs/observability.md#queue-dashboard). A request proves its session with
 * `Authorization: Bearer ml_sess_…` (API use) or with the short-lived signed cookie that
 * POST /admin/queues/session sets for a browser. API keys are refused whatever their
 * scopes: the queues hold every tenant's jobs, and keys are for integrations, not people.
 * Jobs carry ids only, so the board shows no number, code or body.
 */
export async function queueDashboardRoutes(app: FastifyInstance, deps: QueueDashboardDeps): Promise<void> {
  const authenticate = async (request: FastifyRequest): Promise<void> => {
    const token = tokenOf(request, deps.cookies);
    if (!token) throw new MasklineError('unauthorized');
    if (!token.startsWith(SESSION_PREFIX)) throw new MasklineError('admin_role_required');
    const user = await deps.sessions.authenticate(token);
    if (!user) throw new MasklineError('unauthorized');
    if (!ADMIN_ROLES.has(user.role) || (deps.tenantId !== undefined && user.tenantId !== deps.tenantId)) {
      throw new MasklineError('admin_role_required');
    }
    provenTokens.set(request, token);
    request.tenantId = user.tenantId;
    request.principal = `user:${user.userId}`;
    request.userRole = user.role;
  };
  const auth = deps.throttle ? throttleAuthFailures(authenticate, deps.throttle) : authenticate;

  // A sign-in form posts its token as a form field; nothing else here takes a body.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 4_096 },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );
  app.addHook('preHandler', async (request, reply) => {
    const url = request.routeOptions.url;
    if (url === SIGN_IN_PATH || (url === SESSION_PATH && request.method === 'DELETE')) return;
    try {
      await auth(request, reply);
    } catch (error) {
      // Answered here: Bull Board's own error handler (its routes' scope) knows no codes.
      if (!(error instanceof MasklineError)) throw error;
      if (error.retryAfterMs !== undefined) reply.header('retry-after', Math.ceil(error.retryAfterMs / 1000));
      return reply.status(error.status).send(error.toResponseBody());
    }
    void reply.header('cache-control', 'no-store');
  });

  app.get(SIGN_IN_PATH, async (_request, reply) =>
    reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; form-action 'self'; frame-ancestors 'none'")
      .send(SIGN_IN_PAGE),
  );
  // Exchanges the session token (bearer header or form field) for the signed cookie.
  app.post(SESSION_PATH, async (request, reply) => {
    // Only a token given here makes a cookie: a cookie never renews itself.
    const token = bearerOf(request) || formTokenOf(request) ? provenTokens.get(request) : undefined;
    if (!token) throw new MasklineError('unauthorized');
    void reply.header('set-cookie', deps.cookies.header(deps.cookies.seal(token), QUEUE_DASHBOARD_PATH));
    if (formTokenOf(request)) return reply.redirect(`${QUEUE_DASHBOARD_PATH}/`, 303);
    return reply.code(204).send();
  });
  app.delete(SESSION_PATH, async (_request, reply) =>
    reply.header('set-cookie', deps.cookies.clearHeader(QUEUE_DASHBOARD_PATH)).code(204).send(),
  );

  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    // Read-only: no retry, clean, pause or remove from a browser; operators use the CLIs.
    queues: deps.queues.map((queue) => new BullMQAdapter(queue, { readOnlyMode: true, allowRetries: false })),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Maskline queues' } },
  });
  await app.register(serverAdapter.registerPlugin(), { prefix: QUEUE_DASHBOARD_PATH });
}

function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  return typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header)?.[1] : undefined;
}

function formTokenOf(request: FastifyRequest): string | undefined {
  const body = request.body as { token?: unknown } | undefined;
  return typeof body?.token === 'string' && body.token.trim() ? body.token.trim() : undefined;
}

/** The session token of a request: its bearer header, a sign-in form's field, or its cookie. */
function tokenOf(request: FastifyRequest, cookies: DashboardCookies): string | undefined {
  const direct =
    bearerOf(request) ?? (request.routeOptions.url === SESSION_PATH ? formTokenOf(request) : undefined);
  if (direct) return direct;
  const cookie = cookieValue(request.headers.cookie, DASHBOARD_COOKIE);
  return cookie ? (cookies.open(cookie) ?? undefined) : undefined;
}

const SIGN_IN_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Maskline queues: sign in</title></head>
<body>
<h1>Maskline queues</h1>
<p>Paste the session token of a signed-in owner or admin (<code>ml_sess_…</code>, from
<code>POST /v1/auth/mfa</code>). It is kept in a cookie for this dashboard only, for minutes.</p>
<form method="post" action="${SESSION_PATH}">
<input type="password" name="token" autocomplete="off" required size="60">
<button type="submit">Open the dashboard</button>
</form>
</body></html>
`;
