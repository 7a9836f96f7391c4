import type { AuditEventInput } from '@maskline/core';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { apiKeyAuth } from '../src/auth/api-key-auth.js';
import { RequestActorAudit } from '../src/auth/request-actor.js';
import { requireRouteScopes } from '../src/auth/route-scopes.js';

describe('RequestActorAudit', () => {
  it('names the API key serving the request, across awaits, and leaves other events alone', async () => {
    const events: AuditEventInput[] = [];
    const audit = new RequestActorAudit({ record: async (e) => void events.push(e) });
    const app = Fastify();
    await app.register(async (api) => {
      api.addHook(
        'onRequest',
        apiKeyAuth({
          authenticate: async () => ({
            keyId: 'k1',
            tenantId: 't1',
            scopes: ['masking:manage'],
            expiresAt: null,
            environment: 'live',
            allowedCidrs: null,
            clientCertSha256: null,
          }),
        }),
      );
      requireRouteScopes(api);
      api.post('/v1/masking/sessions', async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        await audit.record({ tenantId: 't1', action: 'number.allocated', subject: null, details: {} });
        await audit.record({
          tenantId: 't1',
          actor: 'system:sweeper',
          action: 'x',
          subject: null,
          details: {},
        });
        return {};
      });
    });
    const res = await app.inject({
      method: 'POST',
      url: '/v1/masking/sessions',
      headers: { authorization: 'Bearer ml_live_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' },
      payload: {},
    });
    expect(res.statusCode).toBe(200);
    await audit.record({ tenantId: null, action: 'outside', subject: null, details: {} });
    expect(events.map((e) => e.actor)).toEqual(['api_key:k1', 'system:sweeper', undefined]);
    await app.close();
  });
});
