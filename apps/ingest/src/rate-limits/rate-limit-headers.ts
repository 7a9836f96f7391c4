import type { LimitState } from './request-limits.js';

/**
 * The RateLimit-Policy and RateLimit fields of draft-ietf-httpapi-ratelimit-headers-10, in
 * its Structured Fields form: each a List with one Item per limit that applies to the
 * request, named by a String ("key", "tenant", "destination").
 *
 *   RateLimit-Policy: "key";q=60000;w=60, "tenant";q=120000;w=60
 *   RateLimit: "key";r=59990;t=42, "tenant";r=119000;t=42
 *
 * q is the quota, w the window (seconds), r the requests left, t the seconds until the
 * window reopens (rounded up, as Retry-After is).
 */
export function rateLimitHeaders(states: readonly LimitState[]): Record<string, string> {
  if (states.length === 0) return {};
  return {
    'ratelimit-policy': states
      .map((s) => `"${s.name}";q=${s.limit};w=${Math.ceil(s.windowMs / 1000)}`)
      .join(', '),
    ratelimit: states.map((s) => `"${s.name}";r=${s.remaining};t=${Math.ceil(s.resetMs / 1000)}`).join(', '),
  };
}
