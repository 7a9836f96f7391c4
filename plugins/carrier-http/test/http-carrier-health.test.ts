import { MasklineError, type SubmitRequest, type SubmitResult } from '@maskline/core';
import { describe, expect, it } from 'vitest';
import { DOWN_AFTER_UNREACHABLE, HttpCarrier, PROBE_AFTER_MS } from '../src/http-plugin-base.js';
import { recordingContext } from './support/plugin-context.js';

/** A provider whose every send fails (or succeeds) as the test says. */
class ScriptedCarrier extends HttpCarrier {
  next: () => Promise<SubmitResult> = async () => ({ carrierMessageId: 'm1', segments: 1, partIds: ['m1'] });
  protected send(): Promise<SubmitResult> {
    return this.next();
  }
}

const REQUEST: SubmitRequest = {
  messageId: '01a23abc-0000-7000-8000-000000000001',
  tenantId: 't',
  to: '+447911123456',
  from: 'Maskline',
  body: 'hi',
  requestReceipt: true,
};

const unreachable = () => Promise.reject(new MasklineError('carrier_unavailable', { message: 'refused' }));
const refused = () => Promise.reject(new MasklineError('carrier_rejected', { message: 'no' }));

describe('HttpCarrier health: a circuit breaker over sends that cannot reach the provider', () => {
  function setup() {
    let now = 1_000_000;
    const { ctx } = recordingContext(() => ({ status: 200, headers: {}, body: '' }), {
      clock: { now: () => new Date(now) },
    });
    const carrier = new ScriptedCarrier(ctx);
    const advance = (ms: number): void => {
      now += ms;
    };
    return { carrier, advance };
  }

  it('is up, degraded after one unreachable send, down after several in a row', async () => {
    const { carrier } = setup();
    expect(carrier.health().status).toBe('up');
    carrier.next = unreachable;
    await expect(carrier.submit(REQUEST)).rejects.toThrow();
    expect(carrier.health().status).toBe('degraded');
    for (let i = 1; i < DOWN_AFTER_UNREACHABLE; i++) await expect(carrier.submit(REQUEST)).rejects.toThrow();
    expect(carrier.health()).toMatchObject({ status: 'down' });
  });

  it('lets one send probe after the down period; a success is up again, a failure down again', async () => {
    const { carrier, advance } = setup();
    carrier.next = unreachable;
    for (let i = 0; i < DOWN_AFTER_UNREACHABLE; i++) await expect(carrier.submit(REQUEST)).rejects.toThrow();
    advance(PROBE_AFTER_MS - 1);
    expect(carrier.health().status).toBe('down');
    advance(1);
    expect(carrier.health().status).toBe('degraded');
    await expect(carrier.submit(REQUEST)).rejects.toThrow();
    expect(carrier.health().status).toBe('down');
    advance(PROBE_AFTER_MS);
    carrier.next = async () => ({ carrierMessageId: 'm2', segments: 1, partIds: ['m2'] });
    await carrier.submit(REQUEST);
    expect(carrier.health().status).toBe('up');
  });

  it('does not count a provider that answers, even with a refusal', async () => {
    const { carrier } = setup();
    carrier.next = unreachable;
    await expect(carrier.submit(REQUEST)).rejects.toThrow();
    await expect(carrier.submit(REQUEST)).rejects.toThrow();
    carrier.next = refused;
    await expect(carrier.submit(REQUEST)).rejects.toThrow();
    carrier.next = unreachable;
    await expect(carrier.submit(REQUEST)).rejects.toThrow();
    expect(carrier.health().status).toBe('degraded');
  });

  it('is down once closed', async () => {
    const { carrier } = setup();
    await carrier.close();
    expect(carrier.health()).toEqual({ status: 'down', detail: 'closed' });
  });
});
