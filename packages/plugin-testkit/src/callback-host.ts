import type { CarrierCallbackRequest, CarrierCallbackRoute, CarrierEventSink } from '@maskline/plugin-sdk';
import { expect } from 'vitest';

/**
 * What the host does with a carrier's HTTP callback, minus HTTP: find the route, verify,
 * parse, publish every event. A refused verdict or an unknown route fails the check.
 */
export class CallbackHost {
  constructor(
    private readonly routes: readonly CarrierCallbackRoute[],
    private readonly sink: CarrierEventSink,
  ) {}

  route(request: CarrierCallbackRequest): CarrierCallbackRoute {
    const route = this.routes.find((r) => r.method === request.method && r.path === request.path);
    expect(route, `a callbacks() route for ${request.method} ${request.path}`).toBeDefined();
    return route!;
  }

  async deliver(requests: CarrierCallbackRequest | CarrierCallbackRequest[]): Promise<void> {
    for (const request of Array.isArray(requests) ? requests : [requests]) {
      const route = this.route(request);
      const verdict = await route.verify(request);
      expect(verdict.valid, `verify() accepts the carrier's own ${request.path} callback`).toBe(true);
      for (const event of route.parse(request)) await this.sink.publish(event);
    }
  }
}

/** The request without what could authenticate it: no headers, a changed body, no query. */
export function unauthenticated(request: CarrierCallbackRequest): CarrierCallbackRequest {
  const body = Buffer.from(request.rawBody);
  if (body.length > 0) body[body.length - 1] = body[body.length - 1]! ^ 0x01;
  else return { ...request, headers: {}, url: request.url.split('?')[0]!, rawBody: Buffer.from(' ') };
  return { ...request, headers: {}, url: request.url.split('?')[0]!, rawBody: body };
}
