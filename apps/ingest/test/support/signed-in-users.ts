import type { UserRole } from '@maskline/core';
import { UserRepository } from '@maskline/storage';
import { TEST_PEPPER, type TestDatabase } from '@maskline/testing';
import { Secret, TOTP } from 'otpauth';
import { CredentialDigests } from '../../src/users/credentials.js';
import { UserService } from '../../src/users/user-service.js';

export const TEST_PASSWORD = 'correct horse battery staple';

/** The TOTP code of `secret` at `offsetSteps` 30-second steps from now (as an authenticator app shows it). */
export function totpCode(secret: string, offsetSteps = 0): string {
  const totp = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' });
  return totp.generate({ timestamp: Date.now() + offsetSteps * 30_000 });
}

export interface SignedInUser {
  id: string;
  email: string;
  role: UserRole;
  totpSecret: string;
  recoveryCodes: string[];
  /** The `ml_sess_…` session token. */
  token: string;
  /** The TOTP code the sign-in spent. */
  usedCode: string;
}

type Call = (
  method: string,
  path: string,
  body?: unknown,
  token?: string,
) => Promise<{ status: number; body: Record<string, unknown> }>;

/** A call to the API at `base()` as a client makes it: a bearer token when given, JSON both ways. */
export function bearerCall(base: () => string) {
  return async (method: string, path: string, body?: unknown, token?: string) => {
    const response = await fetch(`${base()}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      body: (text ? JSON.parse(text) : {}) as Record<string, unknown>,
    };
  };
}

/**
 * Makes a user as the operator CLI does (setup token), then walks the user's own path over
 * HTTP: password and TOTP enrolment, sign-in, second factor. The sign-in code is the next
 * step's (the enrolment spent this one: a code is good once).
 */
export async function signedInUser(
  db: TestDatabase,
  call: Call,
  tenantId: string,
  role: UserRole,
  email = `${role}-${Math.random().toString(36).slice(2)}@example.com`,
): Promise<SignedInUser> {
  const service = new UserService(
    new UserRepository(db.pool),
    new CredentialDigests(TEST_PEPPER),
    db.vault,
    db.vault,
  );
  const { user, setupToken } = await service.create(
    tenantId,
    { email, role },
    { id: 'cli:test', role: null },
  );
  const setup = await call('POST', '/v1/auth/setup', { setupToken, password: TEST_PASSWORD });
  if (setup.status !== 200) throw new Error(`setup answered ${setup.status}`);
  const totpSecret = String(setup.body.totpSecret);
  const recoveryCodes = setup.body.recoveryCodes as string[];
  const confirmed = await call('POST', '/v1/auth/setup/confirm', { setupToken, code: totpCode(totpSecret) });
  if (confirmed.status !== 200) throw new Error(`setup confirm answered ${confirmed.status}`);
  const signIn = await call('POST', '/v1/auth/sign-in', { email, password: TEST_PASSWORD });
  if (signIn.status !== 200) throw new Error(`sign-in answered ${signIn.status}`);
  const usedCode = totpCode(totpSecret, 1);
  const mfa = await call('POST', '/v1/auth/mfa', { mfaToken: signIn.body.mfaToken, code: usedCode });
  if (mfa.status !== 200) throw new Error(`mfa answered ${mfa.status}`);
  return { id: user.id, email, role, totpSecret, recoveryCodes, token: String(mfa.body.token), usedCode };
}
