import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/** The cookie that carries a dashboard visit: HttpOnly, Secure, SameSite=Strict, path-scoped. */
export const DASHBOARD_COOKIE = 'ml_queues';

const COOKIE_KEY_INFO = 'maskline queue-dashboard cookie v1';

/** The key dashboard cookies are signed with: HKDF-SHA256 of the API key pepper. */
export function dashboardCookieKeyOf(pepper: string): Buffer {
  return Buffer.from(hkdfSync('sha256', pepper, Buffer.alloc(0), COOKIE_KEY_INFO, 32));
}

/**
 * A short-lived, signed wrapper of a user's session token: `<token b64url>.<expiry ms>.<mac>`.
 * The mac binds the token to the expiry, so the cookie cannot outlive `ttlMs` even if the
 * browser keeps it; the session itself is checked again on every request (sign-out ends it).
 */
export class DashboardCookies {
  constructor(
    private readonly key: Buffer,
    readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  seal(sessionToken: string): string {
    const body = `${Buffer.from(sessionToken, 'utf8').toString('base64url')}.${this.now() + this.ttlMs}`;
    return `${body}.${this.mac(body)}`;
  }

  /** The session token of a cookie value, or null when it is forged, malformed or expired. */
  open(value: string): string | null {
    const parts = value.split('.');
    if (parts.length !== 3) return null;
    const [token = '', expiry = '', mac = ''] = parts;
    const expected = Buffer.from(this.mac(`${token}.${expiry}`));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    if (!/^\d{1,15}$/.test(expiry) || Number(expiry) <= this.now()) return null;
    return Buffer.from(token, 'base64url').toString('utf8');
  }

  /** The Set-Cookie value that stores `value` for the dashboard's path only. */
  header(value: string, path: string): string {
    const maxAge = Math.floor(this.ttlMs / 1000);
    return `${DASHBOARD_COOKIE}=${value}; Path=${path}; Max-Age=${maxAge}; HttpOnly; Secure; SameSite=Strict`;
  }

  /** The Set-Cookie value that removes the cookie. */
  clearHeader(path: string): string {
    return `${DASHBOARD_COOKIE}=; Path=${path}; Max-Age=0; HttpOnly; Secure; SameSite=Strict`;
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body, 'utf8').digest('base64url');
  }
}

/** The value of cookie `name` in a Cookie header, if present. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
