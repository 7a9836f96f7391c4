import type { CarrierCallbackRequest, CarrierCallbackRoute, CarrierEvent, Clock } from '@maskline/core';
import { silentLogger } from '@maskline/core';
import { describe, expect, it } from 'vitest';
import { CallbackHandler, type MountedCallback } from '../src/callbacks/callback-handler.js';

const NOW = new Date('2026-01-01T12:00:00Z');
const clock: Clock = { now: () => NOW } as Clock;
const handler = new CallbackHandler({
  replayWindowMs: 60_000,
  clock,
  logger: silentLogger,
  retryAfterSeconds: 7,
});
const receipt: CarrierEvent = {
  type: 'receipt',
  carrierMessageId: 'c1',
  outcome: 'delivered',
  carrierStatus: 'ok',
};
const request: CarrierCallbackRequest = {
  method: 'POST',
  url: 'http://h/carriers/x/status',
  path: '/status',
  headers: {},
  rawBody: Buffer.from('{}'),
};

function mounted(
  route: Partial<CarrierCallbackRoute>,
  publish: (e: CarrierEvent) => Promise<void>,
): MountedCallback {
  return {
    carrierId: 'x',
    route: {
      method: 'POST',
      path: '/status',
      verify: () => ({ valid: true }),
      parse: () => [receipt],
      ...route,
    },
    events: { publish },
  };
}
const errorCode = (body: string | undefined) =>
  (JSON.parse(body ?? '{}') as { error: { code: string } }).error.code;

describe('CallbackHandler', () => {
  it('answers 204 only after every event is durable', async () => {
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const reply = handler
      .handle(
        mounted({ parse: () => [receipt, receipt] }, async () => {
          await held;
          order.push('stored');
        }),
        request,
      )
      .then((r) => {
        order.push('answered');
        return r;
      });
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual([]);
    release();
    expect((await reply).status).toBe(204);
    expect(order).toEqual(['stored', 'stored', 'answered']);
  });

  it("answers the route's own answer", async () => {
    const answer = { status: 200, contentType: 'text/xml', body: '<Response/>' };
    const reply = await handler.handle(
      mounted({ answer }, async () => {}),
      request,
    );
    expect(reply).toEqual({ status: 200, headers: { 'content-type': 'text/xml' }, body: '<Response/>' });
  });

  it('refuses a bad signature, a failing verify, and a signed time outside the window with 401', async () => {
    const published: CarrierEvent[] = [];
    const publish = async (e: CarrierEvent) => void published.push(e);
    for (const verify of [
      () => ({ valid: false }),
      () => {
        throw new Error('boom');
      },
      () => ({ valid: true, signedAt: new Date(NOW.getTime() - 61_000) }),
      () => ({ valid: true, signedAt: new Date(NOW.getTime() + 61_000) }),
    ]) {
      const reply = await handler.handle(mounted({ verify }, publish), request);
      expect(reply.status).toBe(401);
      expect(errorCode(reply.body)).toBe('carrier_callback_unverified');
    }
    expect(published).toEqual([]);
    const inWindow = () => ({ valid: true, signedAt: new Date(NOW.getTime() - 59_000) });
    expect((await handler.handle(mounted({ verify: inWindow }, publish), request)).status).toBe(204);
  });

  it('answers 400 to a parse error and 503 with Retry-After when an event is not stored', async () => {
    const parseError = await handler.handle(
      mounted(
        {
          parse: () => {
            throw new Error('bad');
          },
        },
        async () => {},
      ),
      request,
    );
    expect([parseError.status, errorCode(parseError.body)]).toEqual([400, 'invalid_request']);
    const down = await handler.handle(
      mounted({}, async () => {
        throw Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' });
      }),
      request,
    );
    expect(down.status).toBe(503);
    expect(down.headers['retry-after']).toBe('7');
    expect(errorCode(down.body)).toBe('service_unavailable');
  });
});
