import { UserRepository } from '@maskline/storage';
import { createTestDatabase, seedTenant, TEST_PEPPER, type TestDatabase } from '@maskline/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CredentialDigests } from '../src/users/credentials.js';
import { UserService } from '../src/users/user-service.js';
import { type IngestProcess, startIngestProcess } from './support/ingest-process.js';
import { bearerCall, signedInUser, TEST_PASSWORD, totpCode } from './support/signed-in-users.js';

/**
 * Users sign in with a password (argon2id) and a TOTP code (RFC 6238), through HTTP against
 * the real ingest process: setup, sign-in, second factor, recovery codes, lock-out,
 * sign-out, disabling, and nothing secret in its logs.
 */
describe('user sign-in with password and TOTP (real ingest process)', () => {
  let db: TestDatabase;
  let ingest: IngestProcess;
  let tenantId = '';
  let apiKey = '';
  const secrets: string[] = [TEST_PASSWORD];

  const call = bearerCall(() => ingest.url);
  const codeOf = (answer: { body: Record<string, unknown> }) => (answer.body.error as { code: string }).code;

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    ({ tenantId, apiKey } = await seedTenant(db.pool));
    // The address throttle is the API keys' (20 failures a minute); the lock-out test needs more.
    ingest = await startIngestProcess(db, inject('redisUrl'), { AUTH_FAILURE_LIMIT_PER_MINUTE: '100' });
  }, 60_000);
  afterAll(async () => {
    await ingest?.stop();
    await db?.drop();
  });

  it('enrols with a setup token: weak password, wrong token and wrong code refused; the token is spent', async () => {
    const service = new UserService(
      new UserRepository(db.pool),
      new CredentialDigests(TEST_PEPPER),
      db.vault,
      db.vault,
    );
    const { setupToken } = await service.create(
      tenantId,
      { email: 'grace@example.com', role: 'admin' },
      { id: 'cli:test', role: null },
    );
    secrets.push(setupToken);
    const weak = await call('POST', '/v1/auth/setup', { setupToken, password: 'short' });
    expect([weak.status, codeOf(weak)]).toEqual([400, 'password_too_weak']);
    const unknown = await call('POST', '/v1/auth/setup', {
      setupToken: `${setupToken}x`,
      password: TEST_PASSWORD,
    });
    expect([unknown.status, codeOf(unknown)]).toEqual([401, 'invalid_credentials']);

    const setup = await call('POST', '/v1/auth/setup', { setupToken, password: TEST_PASSWORD });
    expect(setup.status).toBe(200);
    const secret = String(setup.body.totpSecret);
    secrets.push(secret);
    expect(String(setup.body.otpauthUri)).toMatch(/^otpauth:\/\/totp\/Maskline:g\*\*\*%40example\.com\?/);
    expect(setup.body.recoveryCodes).toHaveLength(10);
    const wrongCode = totpCode(secret, 5);
    const bad = await call('POST', '/v1/auth/setup/confirm', { setupToken, code: wrongCode });
    expect([bad.status, codeOf(bad)]).toEqual([401, 'mfa_code_invalid']);
    const ok = await call('POST', '/v1/auth/setup/confirm', { setupToken, code: totpCode(secret) });
    expect(ok).toMatchObject({
      status: 200,
      body: { role: 'admin', status: 'active', email: 'g***@example.com' },
    });
    const again = await call('POST', '/v1/auth/setup', { setupToken, password: TEST_PASSWORD });
    expect([again.status, codeOf(again)]).toEqual([401, 'invalid_credentials']);
  });

  it('signs in with password then TOTP; a code is good once; unknown email and wrong password look alike', async () => {
    const user = await signedInUser(db, call, tenantId, 'owner', 'ada@example.com');
    secrets.push(user.token, user.totpSecret, ...user.recoveryCodes);
    const listed = await call('GET', '/v1/users', undefined, user.token);
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).not.toContain('ada@');

    const wrong = await call('POST', '/v1/auth/sign-in', {
      email: 'ada@example.com',
      password: 'not the password!',
    });
    const nobody = await call('POST', '/v1/auth/sign-in', {
      email: 'nobody@example.com',
      password: TEST_PASSWORD,
    });
    expect([wrong.status, codeOf(wrong)]).toEqual([401, 'invalid_credentials']);
    expect(nobody.body).toEqual(wrong.body);

    // The code used to sign in (step +1) cannot be used again.
    const signIn = await call('POST', '/v1/auth/sign-in', {
      email: 'ADA@example.com',
      password: TEST_PASSWORD,
    });
    expect(signIn.status).toBe(200);
    const replay = await call('POST', '/v1/auth/mfa', {
      mfaToken: signIn.body.mfaToken,
      code: user.usedCode,
    });
    expect([replay.status, codeOf(replay)]).toEqual([401, 'mfa_code_invalid']);
    // A recovery code works once.
    const [recovery] = user.recoveryCodes;
    const recovered = await call('POST', '/v1/auth/mfa', {
      mfaToken: signIn.body.mfaToken,
      recoveryCode: recovery,
    });
    expect(recovered.status).toBe(200);
    expect(String(recovered.body.token)).toMatch(/^ml_sess_/);
    const second = await call('POST', '/v1/auth/sign-in', {
      email: 'ada@example.com',
      password: TEST_PASSWORD,
    });
    const reused = await call('POST', '/v1/auth/mfa', {
      mfaToken: second.body.mfaToken,
      recoveryCode: recovery,
    });
    expect([reused.status, codeOf(reused)]).toEqual([401, 'mfa_code_invalid']);
    // The mfa token is not a session.
    const notSession = await call('GET', '/v1/users', undefined, String(second.body.mfaToken));
    expect(notSession.status).toBe(401);

    // Signing out ends the session at once.
    const session = String(recovered.body.token);
    expect((await call('POST', '/v1/auth/sign-out', undefined, session)).status).toBe(204);
    expect((await call('GET', '/v1/users', undefined, session)).status).toBe(401);
    expect((await call('POST', '/v1/auth/sign-out', undefined, session)).status).toBe(401);
  });

  it('locks a user after five failures in a row, even against the right password, with Retry-After', async () => {
    await signedInUser(db, call, tenantId, 'developer', 'lin@example.com');
    const answers: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      answers.push(
        (
          await call('POST', '/v1/auth/sign-in', {
            email: 'lin@example.com',
            password: `wrong password ${i}`,
          })
        ).status,
      );
    }
    expect(answers).toEqual([401, 401, 401, 401, 423]);
    const locked = await call('POST', '/v1/auth/sign-in', {
      email: 'lin@example.com',
      password: TEST_PASSWORD,
    });
    expect([locked.status, codeOf(locked)]).toEqual([423, 'user_locked']);
    expect(Number(locked.retryAfter)).toBeGreaterThan(800);
    const audit = await db.vault.audit.list({ tenantId, action: 'user.locked' });
    expect(audit).toHaveLength(1);
  });

  it('enforces who may make and disable whom; a disabled user is signed out', async () => {
    const admin = await signedInUser(db, call, tenantId, 'admin', 'ida@example.com');
    const owner = await call(
      'POST',
      '/v1/users',
      { email: 'new.owner@example.com', role: 'owner' },
      admin.token,
    );
    expect([owner.status, codeOf(owner)]).toEqual([403, 'user_role_not_allowed']);
    const analyst = await signedInUser(db, call, tenantId, 'analyst', 'ana@example.com');
    const self = await call('DELETE', `/v1/users/${admin.id}`, undefined, admin.token);
    expect([self.status, codeOf(self)]).toEqual([403, 'user_role_not_allowed']);
    expect((await call('GET', '/v1/messages', undefined, analyst.token)).status).toBe(200);
    expect((await call('DELETE', `/v1/users/${analyst.id}`, undefined, admin.token)).status).toBe(204);
    expect((await call('GET', '/v1/messages', undefined, analyst.token)).status).toBe(401);
    const gone = await call('DELETE', `/v1/users/${analyst.id}`, undefined, admin.token);
    expect([gone.status, codeOf(gone)]).toEqual([404, 'user_not_found']);
    // API keys still work beside sessions, and an API key with users:manage may make users.
    const byKey = await call('POST', '/v1/users', { email: 'kay@example.com', role: 'auditor' }, apiKey);
    expect(byKey.status).toBe(201);
    secrets.push(String(byKey.body.setupToken));
    const audit = await db.vault.audit.list({ tenantId, action: 'user.disabled' });
    expect(audit.map((e) => e.actor)).toEqual([`user:${admin.id}`]);
  });

  it('stores no email, password, TOTP secret or token in clear, and logs none of them', async () => {
    const rows = await db.pool.query('SELECT * FROM users');
    const sessions = await db.pool.query('SELECT * FROM user_sessions');
    const stored = JSON.stringify([rows.rows, sessions.rows]);
    const output = [...ingest.process.lines, stored].join('\n');
    for (const secret of [...secrets, 'ada@example.com', 'grace@example.com']) {
      expect(output).not.toContain(secret);
    }
    expect(rows.rows.every((r) => String(r.password_hash ?? '$argon2id$').startsWith('$argon2id$'))).toBe(
      true,
    );
  });
});
