import { MasklineError } from '@maskline/core';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { healthRoutes, keyProviderCheck } from '../src/routes/health-routes.js';

describe('/ready reports the key provider', () => {
  it('fails the keyProvider check while the provider is down, logging what is missing once per change', async () => {
    let failure: MasklineError | null = null;
    const vault = {
      checkKeyProvider: async () => {
        if (failure) throw failure;
      },
    };
    const logged: { level: string; fields: Record<string, unknown>; msg: string }[] = [];
    const logger = {
      warn: (fields: Record<string, unknown>, msg: string) => logged.push({ level: 'warn', fields, msg }),
      info: (fields: Record<string, unknown>, msg: string) => logged.push({ level: 'info', fields, msg }),
    };
    const app = Fastify();
    await app.register(healthRoutes, { keyProvider: keyProviderCheck(vault, logger) });
    const ready = async () => {
      const response = await app.inject({ method: 'GET', url: '/ready' });
      return { status: response.statusCode, body: response.json() };
    };

    expect(await ready()).toEqual({ status: 200, body: { status: 'ready', checks: { keyProvider: 'ok' } } });
    failure = new MasklineError('vault_unavailable', {
      message: 'The PKCS#11 token maskline is not present (slot 7, module /usr/lib/softhsm/libsofthsm2.so).',
    });
    const down = await ready();
    await ready();
    // The client sees only the state; the reason stays in the log.
    expect(down).toEqual({
      status: 503,
      body: { status: 'not_ready', checks: { keyProvider: 'unavailable' } },
    });
    expect(JSON.stringify(down.body)).not.toContain('token');
    failure = null;
    expect((await ready()).status).toBe(200);
    expect(logged).toEqual([
      {
        level: 'warn',
        fields: {
          errorCode: 'vault_unavailable',
          reason: expect.stringContaining('token maskline is not present'),
        },
        msg: 'key provider not ready',
      },
      { level: 'info', fields: {}, msg: 'key provider available again' },
    ]);
    await app.close();
  });
});
