import { MasklineError } from '@maskline/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthFailureThrottle } from '../rate-limits/auth-failure-throttle.js';
import { parseSecondFactor, parseSetup, parseSetupConfirm, parseSignIn } from './user-requests.js';
import type { UserService } from './user-service.js';
import { toUserView } from './user-view.js';

export interface AuthRoutesDeps {
  users: UserService;
  /** Counts failed sign-ins per client address (the API keys' throttle); absent: not throttled. */
  throttle?: AuthFailureThrottle;
}

const FAILURES = new Set(['invalid_credentials', 'mfa_code_invalid', 'user_locked']);

/**
 * Sign-in for human users (docs/guides/users.md): no API key, so outside the authenticated
 * scope. A throttled address is refused before any hash is computed; every failure counts.
 */
export async function authRoutes(app: FastifyInstance, deps: AuthRoutesDeps): Promise<void> {
  const guarded =
    <T>(handler: (request: FastifyRequest) => Promise<T>) =>
    async (request: FastifyRequest): Promise<T> => {
      const wait = deps.throttle?.waitFor(request.ip) ?? 0;
      if (wait > 0) throw new MasklineError('auth_rate_limited', { retryAfterMs: wait });
      try {
        return await handler(request);
      } catch (error) {
        if (error instanceof MasklineError && FAILURES.has(error.code))
          await deps.throttle?.failed(request.ip);
        throw error;
      }
    };

  app.post(
    '/v1/auth/setup',
    guarded(async (request) => {
      const { setupToken, password } = parseSetup(request.body);
      return deps.users.beginSetup(setupToken, password);
    }),
  );
  app.post(
    '/v1/auth/setup/confirm',
    guarded(async (request) => {
      const { setupToken, code } = parseSetupConfirm(request.body);
      return toUserView(await deps.users.confirmSetup(setupToken, code));
    }),
  );
  app.post(
    '/v1/auth/sign-in',
    guarded(async (request) => {
      const { email, password } = parseSignIn(request.body);
      const { mfaToken, expiresAt } = await deps.users.signIn(email, password);
      return { mfaToken, expiresAt: expiresAt.toISOString() };
    }),
  );
  app.post(
    '/v1/auth/mfa',
    guarded(async (request) => {
      const { mfaToken, ...proof } = parseSecondFactor(request.body);
      const { token, expiresAt, user } = await deps.users.secondFactor(mfaToken, proof);
      return { token, expiresAt: expiresAt.toISOString(), user: toUserView(user) };
    }),
  );
  // Any signed-in user may end its own session, whatever its role: the token is the proof.
  app.post('/v1/auth/sign-out', async (request, reply) => {
    const header = request.headers.authorization;
    const token = typeof header === 'string' ? /^Bearer\s+(ml_sess_\S+)$/i.exec(header)?.[1] : undefined;
    if (!token || !(await deps.users.signOut(token))) throw new MasklineError('unauthorized');
    return reply.status(204).send();
  });
}
