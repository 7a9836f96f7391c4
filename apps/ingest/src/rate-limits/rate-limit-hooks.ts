import { MasklineError, parseE164 } from '@maskline/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthFailureThrottle } from './auth-failure-throttle.js';
import type { DestinationPartition } from './destination-partition.js';
import type { LimiterState } from './limiter-state.js';
import { rateLimitHeaders } from './rate-limit-headers.js';
import type { LimitWindow, RequestLimits } from './request-limits.js';

const MINUTE = 60_000;

export interface RateLimitSettings {
  /** RATE_LIMIT_PER_MINUTE: requests per API key. */
  perKeyPerMinute: number;
  /** RATE_LIMIT_TENANT_PER_MINUTE: requests per tenant, all its keys together (0 = none). */
  perTenantPerMinute: number;
  /** RATE_LIMIT_DESTINATION_PER_MINUTE: POST /v1/messages per tenant and destination number (0 = none). */
  perDestinationPerMinute: number;
}

export interface RequestLimitDeps {
  limits: RequestLimits;
  settings: RateLimitSettings;
  state: LimiterState;
  /** Names destination counters; without it there is no per-destination limit. */
  destinations?: DestinationPartition;
}

/**
 * The request limits of an authenticated scope (a preHandler: the body is parsed, so POST
 * /v1/messages' destination is known). Every applicable window is counted by one Redis
 * script; the answer carries RateLimit-Policy and RateLimit whatever its status, and a full
 * window answers 429 rate_limited with Retry-After and `details.limit`.
 *
 * Redis unreachable: the request is served unlimited (fail open), logged once per state
 * change by LimiterState; docs/reference/configuration.md#rate-limits says why.
 */
export function installRequestLimits(api: FastifyInstance, deps: RequestLimitDeps): void {
  const s = deps.settings;
  api.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    const { tenantId } = request;
    // Per API key, or per signed-in user (the same limit).
    const principal = request.apiKeyId ?? request.principal;
    if (!tenantId || !principal) return;
    const windows: LimitWindow[] = [
      { name: 'key', id: principal, limit: s.perKeyPerMinute, windowMs: MINUTE },
    ];
    if (s.perTenantPerMinute > 0) {
      windows.push({ name: 'tenant', id: 'all', limit: s.perTenantPerMinute, windowMs: MINUTE });
    }
    const to = s.perDestinationPerMinute > 0 && deps.destinations ? destinationOf(request) : undefined;
    if (to && deps.destinations) {
      const id = await deps.destinations.of(tenantId, to);
      windows.push({ name: 'destination', id, limit: s.perDestinationPerMinute, windowMs: MINUTE });
    }
    let decision: Awaited<ReturnType<RequestLimits['take']>>;
    try {
      decision = await deps.limits.take(tenantId, windows);
      deps.state.succeeded();
    } catch (error) {
      deps.state.failed(error);
      return;
    }
    void reply.headers(rateLimitHeaders(decision.states));
    const refused = decision.refusedBy;
    if (refused) {
      throw new MasklineError('rate_limited', {
        message: `Too many requests for this ${refused.name === 'key' ? 'API key' : refused.name}; retry later.`,
        retryAfterMs: refused.resetMs,
        details: { limit: refused.name },
      });
    }
  });
}

/** POST /v1/messages' `to` when it is a valid E.164 number (else the handler answers 400). */
function destinationOf(request: FastifyRequest): string | undefined {
  if (request.method !== 'POST' || request.routeOptions.url !== '/v1/messages') return undefined;
  const body = request.body as { to?: unknown } | null | undefined;
  if (typeof body !== 'object' || body === null) return undefined;
  try {
    return parseE164(body.to, 'to');
  } catch {
    return undefined;
  }
}

type AuthHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/**
 * Wraps the authentication hook: an address throttled for failing too often is answered
 * 429 auth_rate_limited before any digest, cache or database work; every `unauthorized`
 * answer counts as a failure of the request's address.
 */
export function throttleAuthFailures(auth: AuthHook, throttle: AuthFailureThrottle): AuthHook {
  return async (request, reply) => {
    const wait = throttle.waitFor(request.ip);
    if (wait > 0) throw new MasklineError('auth_rate_limited', { retryAfterMs: wait });
    try {
      await auth(request, reply);
    } catch (error) {
      if (error instanceof MasklineError && error.code === 'unauthorized') await throttle.failed(request.ip);
      throw error;
    }
  };
}
