import { isUserRole, MasklineError, USER_ROLES, type UserRole } from '@maskline/core';
import { object } from '../http/request-body.js';

function bad(field: string, message: string): MasklineError {
  return new MasklineError('invalid_request', { message, details: { field } });
}

/** Only the named fields, each a string (at most `max` characters); never echoes a value. */
function strings<K extends string>(input: unknown, fields: readonly K[], max = 512): Record<K, string> {
  const body = object(input);
  for (const key of Object.keys(body)) {
    if (!(fields as readonly string[]).includes(key))
      throw bad(key.slice(0, 40), `Unknown field: ${key.slice(0, 40)}.`);
  }
  const out = {} as Record<K, string>;
  for (const field of fields) {
    const value = body[field];
    if (typeof value !== 'string' || value.length === 0 || value.length > max) {
      throw bad(field, `${field} must be a non-empty string of at most ${max} characters.`);
    }
    out[field] = value;
  }
  return out;
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,253}\.[^\s@]{2,63}$/;

export function parseCreateUser(input: unknown): { email: string; role: UserRole } {
  const { email, role } = strings(input, ['email', 'role'] as const, 320);
  if (!EMAIL.test(email.trim())) throw bad('email', 'email must be an email address.');
  if (!isUserRole(role)) throw bad('role', `role must be one of ${USER_ROLES.join(', ')}.`);
  return { email: email.trim(), role };
}

export const parseSetup = (input: unknown) => strings(input, ['setupToken', 'password'] as const);
export const parseSetupConfirm = (input: unknown) => strings(input, ['setupToken', 'code'] as const);
export const parseSignIn = (input: unknown) => strings(input, ['email', 'password'] as const);

/** `{mfaToken, code}` or `{mfaToken, recoveryCode}`. */
export function parseSecondFactor(input: unknown): {
  mfaToken: string;
  code?: string;
  recoveryCode?: string;
} {
  const body = object(input);
  if ('recoveryCode' in body) return strings(input, ['mfaToken', 'recoveryCode'] as const);
  return strings(input, ['mfaToken', 'code'] as const);
}
