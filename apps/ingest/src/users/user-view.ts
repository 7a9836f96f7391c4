import type { UserRecord } from '@maskline/storage';

/** A user as the API shows it: the email masked, never a hash, secret or token. */
export function toUserView(user: UserRecord) {
  return {
    id: user.id,
    email: user.emailMasked,
    role: user.role,
    status: user.disabledAt ? 'disabled' : user.active ? 'active' : 'invited',
    lastSignInAt: user.lastSignInAt?.toISOString() ?? null,
    createdBy: user.createdBy,
    createdAt: user.createdAt.toISOString(),
    disabledAt: user.disabledAt?.toISOString() ?? null,
  };
}
