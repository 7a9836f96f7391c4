import {
  type AuditRecorder,
  MasklineError,
  ROLE_SCOPES,
  type UserRole,
  uuidv7,
  type Vault,
} from '@maskline/core';
import type { SessionPrincipal, UserCredentials, UserRecord, UserRepository } from '@maskline/storage';
import {
  type CredentialDigests,
  hashPassword,
  MAX_PASSWORD_CHARS,
  MIN_PASSWORD_CHARS,
  newRecoveryCodes,
  newToken,
  newTotpSecret,
  passwordMatches,
  totpStep,
  totpUri,
} from './credentials.js';

export interface UserSettings {
  /** How long a management session lasts (USER_SESSION_TTL_SECONDS). */
  sessionTtlSeconds: number;
  /** How long the token between password and second factor lasts. */
  mfaTtlSeconds: number;
  /** How long a new user's setup token lasts. */
  setupTtlSeconds: number;
  /** Failed sign-ins in a row that lock a user, and for how long. */
  maxFailures: number;
  lockSeconds: number;
}

export const DEFAULT_USER_SETTINGS: UserSettings = {
  sessionTtlSeconds: 1_800,
  mfaTtlSeconds: 300,
  setupTtlSeconds: 86_400,
  maxFailures: 5,
  lockSeconds: 900,
};

const TOTP_FIELD = 'totp_secret';

/** `a***@example.com`: enough to recognise one's own colleague, not to harvest addresses. */
export function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.trim().toLowerCase().split('@');
  return `${local.slice(0, 1)}***@${domain}`;
}

/** A signed-in user as the auth hook sees it. */
export interface UserPrincipal extends SessionPrincipal {
  scopes: readonly string[];
}

/**
 * Users of the management API (docs/guides/users.md): created by an owner or admin (or the
 * operator CLI) with a one-time setup token; the user picks a password (argon2id) and
 * enrols TOTP (RFC 6238) with recovery codes; signs in with both and gets a short-lived
 * session token whose rights are its role's scopes. Five failures in a row lock the user for
 * 15 minutes. Every failure answers the same way whether the email exists or not (the
 * password check runs against a dummy hash for an unknown email).
 */
export class UserService {
  constructor(
    private readonly users: UserRepository,
    private readonly digests: CredentialDigests,
    private readonly vault: Vault,
    private readonly audit: AuditRecorder,
    private readonly settings: UserSettings = DEFAULT_USER_SETTINGS,
  ) {}

  async create(
    tenantId: string,
    input: { email: string; role: UserRole },
    actor: { id: string; role: UserRole | null },
  ): Promise<{ user: UserRecord; setupToken: string }> {
    if (input.role === 'owner' && actor.role !== null && actor.role !== 'owner') {
      throw new MasklineError('user_role_not_allowed');
    }
    const setupToken = newToken('setup');
    const user = await this.users.create({
      id: uuidv7(),
      tenantId,
      emailDigest: this.digests.of('email', input.email),
      emailMasked: maskEmail(input.email),
      role: input.role,
      setupDigest: this.digests.of('setup', setupToken),
      setupTtlSeconds: this.settings.setupTtlSeconds,
      createdBy: actor.id,
    });
    if (!user) throw new MasklineError('user_exists');
    await this.audit.record({
      tenantId,
      actor: actor.id,
      action: 'user.created',
      subject: `user:${user.id}`,
      details: { role: input.role },
    });
    return { user, setupToken };
  }

  list(tenantId: string): Promise<UserRecord[]> {
    return this.users.list(tenantId);
  }

  async disable(tenantId: string, id: string, actor: { id: string; role: UserRole | null }): Promise<void> {
    const user = await this.users.find(tenantId, id);
    if (!user || user.disabledAt) throw new MasklineError('user_not_found');
    if (
      actor.id === `user:${id}` ||
      (user.role === 'owner' && actor.role !== null && actor.role !== 'owner')
    ) {
      throw new MasklineError('user_role_not_allowed');
    }
    if (!(await this.users.disable(tenantId, id))) throw new MasklineError('user_not_found');
    await this.audit.record({
      tenantId,
      actor: actor.id,
      action: 'user.disabled',
      subject: `user:${id}`,
      details: {},
    });
  }

  /**
   * Setup, step one (setup token + password): stores the password hash and a new TOTP
   * secret (sealed), and returns the secret, its otpauth:// URI and ten recovery codes, once.
   * Repeatable until confirmed (a lost QR code: run it again).
   */
  async beginSetup(
    setupToken: string,
    password: string,
  ): Promise<{ totpSecret: string; otpauthUri: string; recoveryCodes: string[] }> {
    checkPassword(password);
    const user = await this.users.credentialsBySetup(this.digests.of('setup', setupToken));
    if (!user) throw new MasklineError('invalid_credentials');
    const totpSecret = newTotpSecret();
    const recoveryCodes = newRecoveryCodes();
    const tv = await this.vault.forTenant(user.tenantId);
    await this.users.storeSetup(user.id, {
      passwordHash: await hashPassword(password),
      totpSealed: tv.seal({ recordId: user.id, field: TOTP_FIELD }, totpSecret),
      totpKeyVersion: tv.activeVersion,
      recoveryDigests: recoveryCodes.map((c) => this.digests.of('recovery', c)),
    });
    return { totpSecret, otpauthUri: totpUri(totpSecret, user.emailMasked), recoveryCodes };
  }

  /** Setup, step two: a right TOTP code confirms the enrolment and spends the setup token. */
  async confirmSetup(setupToken: string, code: string): Promise<UserRecord> {
    const user = await this.users.credentialsBySetup(this.digests.of('setup', setupToken));
    if (!user?.totpSealed || !user.passwordHash) throw new MasklineError('invalid_credentials');
    const step = totpStep(await this.openTotp(user), code);
    if (step === null) throw new MasklineError('mfa_code_invalid');
    await this.users.confirmSetup(user.id, step);
    await this.audit.record({
      tenantId: user.tenantId,
      actor: `user:${user.id}`,
      action: 'user.mfa_enrolled',
      subject: `user:${user.id}`,
      details: {},
    });
    return { ...user, active: true };
  }

  /** Step one of sign-in: the password. Right: a token good for the second factor only. */
  async signIn(email: string, password: string): Promise<{ mfaToken: string; expiresAt: Date }> {
    const user = await this.users.credentialsByEmail(this.digests.of('email', email));
    const matches = await passwordMatches(user?.passwordHash ?? null, password);
    if (!user?.active) throw new MasklineError('invalid_credentials');
    this.refuseLocked(user);
    if (!matches) return this.fail(user, 'invalid_credentials');
    const mfaToken = newToken('mfa');
    const expiresAt = await this.users.createToken({
      userId: user.id,
      tenantId: user.tenantId,
      kind: 'mfa',
      digest: this.digests.of('token', mfaToken),
      ttlSeconds: this.settings.mfaTtlSeconds,
    });
    return { mfaToken, expiresAt };
  }

  /**
   * Step two: a TOTP code (each good once) or an unused recovery code. Right: the session
   * token (`ml_sess_…`) for the management API; the mfa token is spent either way at lock-out.
   */
  async secondFactor(
    mfaToken: string,
    proof: { code?: string; recoveryCode?: string },
  ): Promise<{ token: string; expiresAt: Date; user: UserRecord }> {
    const pending = await this.users.token('mfa', this.digests.of('token', mfaToken));
    const user = pending ? await this.users.credentials(pending.userId) : null;
    if (!pending || !user) throw new MasklineError('invalid_credentials');
    this.refuseLocked(user);
    if (!(await this.proofHolds(user, proof))) return this.fail(user, 'mfa_code_invalid');
    await this.users.revokeToken(pending.sessionId);
    await this.users.recordSignIn(user.id);
    const token = newToken('sess');
    const expiresAt = await this.users.createToken({
      userId: user.id,
      tenantId: user.tenantId,
      kind: 'session',
      digest: this.digests.of('token', token),
      ttlSeconds: this.settings.sessionTtlSeconds,
    });
    await this.audit.record({
      tenantId: user.tenantId,
      actor: `user:${user.id}`,
      action: 'user.signed_in',
      subject: `user:${user.id}`,
      details: { factor: proof.recoveryCode ? 'recovery_code' : 'totp' },
    });
    return { token, expiresAt, user };
  }

  /** The user behind a session token (`ml_sess_…`), with its role's scopes; null if none is live. */
  async authenticate(token: string): Promise<UserPrincipal | null> {
    const principal = await this.users.token('session', this.digests.of('token', token));
    return principal ? { ...principal, scopes: ROLE_SCOPES[principal.role] } : null;
  }

  /** Ends the session of this token; false when it was not a live session. */
  async signOut(token: string): Promise<boolean> {
    const session = await this.users.token('session', this.digests.of('token', token));
    if (!session) return false;
    await this.users.revokeToken(session.sessionId);
    return true;
  }

  private async proofHolds(user: UserCredentials, proof: { code?: string; recoveryCode?: string }) {
    if (proof.recoveryCode !== undefined) {
      return this.users.spendRecoveryCode(user.id, this.digests.of('recovery', proof.recoveryCode.trim()));
    }
    if (!user.totpSealed || proof.code === undefined) return false;
    const step = totpStep(await this.openTotp(user), proof.code);
    return step !== null && step > user.totpLastStep && (await this.users.acceptStep(user.id, step));
  }

  private refuseLocked(user: UserCredentials): void {
    if (!user.locked || !user.lockedUntil) return;
    throw new MasklineError('user_locked', {
      retryAfterMs: Math.max(1_000, user.lockedUntil.getTime() - Date.now()),
    });
  }

  private async fail(
    user: UserCredentials,
    code: 'invalid_credentials' | 'mfa_code_invalid',
  ): Promise<never> {
    const locked = await this.users.recordFailure(
      user.id,
      this.settings.maxFailures,
      this.settings.lockSeconds,
    );
    if (locked) {
      await this.audit.record({
        tenantId: user.tenantId,
        actor: 'system:sign-in',
        action: 'user.locked',
        subject: `user:${user.id}`,
        details: { lockSeconds: this.settings.lockSeconds },
      });
      throw new MasklineError('user_locked', { retryAfterMs: this.settings.lockSeconds * 1000 });
    }
    throw new MasklineError(code);
  }

  private async openTotp(user: UserCredentials): Promise<string> {
    const tv = await this.vault.forTenant(user.tenantId, [user.totpKeyVersion]);
    return tv.open({ recordId: user.id, field: TOTP_FIELD }, user.totpSealed!);
  }
}

function checkPassword(password: string): void {
  const length = [...password].length;
  if (length < MIN_PASSWORD_CHARS || length > MAX_PASSWORD_CHARS)
    throw new MasklineError('password_too_weak');
}
