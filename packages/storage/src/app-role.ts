import type pg from 'pg';

/** The group role migrations grant to (see migrations/0002_vault.sql). */
export const APP_GROUP_ROLE = 'maskline_app';

/**
 * Creates (if missing) a login role that is a member of `maskline_app`, for the apps to
 * connect as: they can read and write the operational tables but not change or delete
 * the audit log. Run by whoever owns the database (the stack, the test harness, a
 * deployment step). Authentication is the server's business (trust on loopback for the
 * local stack; a password or certificate in production).
 */
export async function ensureAppLoginRole(pool: pg.Pool, name: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`invalid role name: ${name}`);
  try {
    await pool.query(`CREATE ROLE ${name} LOGIN IN ROLE ${APP_GROUP_ROLE}`);
  } catch (error) {
    // 42710 duplicate_object: it exists (maybe created concurrently); make sure of membership.
    if ((error as { code?: string }).code !== '42710') throw error;
    await pool.query(`GRANT ${APP_GROUP_ROLE} TO ${name}`);
  }
}

/** The same connection string, as another user. */
export function withUser(url: string, user: string): string {
  const parsed = new URL(url);
  parsed.username = user;
  parsed.password = '';
  return parsed.toString();
}
