import { describe, expect, it } from 'vitest';
import { cookieValue, DashboardCookies, dashboardCookieKeyOf } from '../src/admin/dashboard-cookie.js';

const TOKEN = 'ml_sess_abcdefghijklmnopqrstuvwxyz012345';

describe('DashboardCookies', () => {
  let now = 1_000_000;
  const cookies = new DashboardCookies(dashboardCookieKeyOf('a-test-pepper-of-16+'), 900_000, () => now);

  it('opens what it sealed until its signed expiry, not after', () => {
    const sealed = cookies.seal(TOKEN);
    expect(sealed).not.toContain(TOKEN);
    expect(cookies.open(sealed)).toBe(TOKEN);
    now += 899_999;
    expect(cookies.open(sealed)).toBe(TOKEN);
    now += 1;
    expect(cookies.open(sealed)).toBeNull();
  });

  it('refuses a cookie whose expiry or token was changed, or sealed under another key', () => {
    const sealed = cookies.seal(TOKEN);
    const [token, expiry, mac] = sealed.split('.');
    expect(cookies.open(`${token}.${Number(expiry) + 3_600_000}.${mac}`)).toBeNull();
    expect(cookies.open(`${Buffer.from('ml_sess_other').toString('base64url')}.${expiry}.${mac}`)).toBeNull();
    const other = new DashboardCookies(dashboardCookieKeyOf('another-pepper-16+++'), 900_000, () => now);
    expect(cookies.open(other.seal(TOKEN))).toBeNull();
    expect(cookies.open('garbage')).toBeNull();
    expect(cookies.open('')).toBeNull();
  });

  it('sets an HttpOnly, Secure, SameSite=Strict cookie on the dashboard path only', () => {
    expect(cookies.header('v', '/admin/queues')).toBe(
      'ml_queues=v; Path=/admin/queues; Max-Age=900; HttpOnly; Secure; SameSite=Strict',
    );
    expect(cookies.clearHeader('/admin/queues')).toContain('Max-Age=0');
  });

  it('reads one cookie of a Cookie header', () => {
    expect(cookieValue('a=1; ml_queues=x.y.z; b=2', 'ml_queues')).toBe('x.y.z');
    expect(cookieValue('a=1', 'ml_queues')).toBeUndefined();
    expect(cookieValue(undefined, 'ml_queues')).toBeUndefined();
  });
});
