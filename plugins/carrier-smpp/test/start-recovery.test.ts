import { describe, expect, it } from 'vitest';
import { testContext } from './support/context.js';
import { closeAfterEach, createPlugin, rejection, request, startSmsc } from './support/harness.js';
import { TestSmsc } from './support/test-smsc.js';
import { eventually, sleep } from './support/wait.js';

closeAfterEach();

/** A loopback port nothing listens on (just freed). */
async function freePort(): Promise<number> {
  const probe = await TestSmsc.start();
  const port = probe.port;
  await probe.close();
  return port;
}

/** 'closed' if the promise settles within ms, else 'pending'. */
const within = (promise: Promise<unknown>, ms: number) =>
  Promise.race([promise.then(() => 'closed' as const), sleep(ms).then(() => 'pending' as const)]);

describe('SMPP carrier: a carrier that cannot bind at boot', () => {
  it('keeps binding after a failed start and becomes usable once the SMSC comes up', async () => {
    const port = await freePort();
    const plugin = createPlugin(testContext(), port, { reconnectMinMs: 10, reconnectMaxMs: 40 });
    expect((await rejection(plugin.start())).code).toBe('carrier_unavailable');

    const down = plugin.health();
    expect(down).toEqual({ status: 'down', detail: '0/1 binds up; last failure: connection refused' });
    expect(down.detail).not.toContain(String(port)); // client-safe: no address, port or socket text
    expect((await rejection(plugin.submit(request))).code).toBe('carrier_unavailable');

    const smsc = await startSmsc({ port });
    await eventually(() => plugin.health().status === 'up', 3000);
    expect(plugin.health()).toEqual({ status: 'up', detail: '1/1 binds up' });
    expect((await plugin.submit(request)).carrierMessageId).toBe('msg-1');
    expect(smsc.binds).toBe(1);
  });

  it('retries a refused bind with backoff and names the refusal in health', async () => {
    const smsc = await startSmsc({ password: 'other' });
    const plugin = createPlugin(testContext(), smsc.port, { reconnectMinMs: 5, reconnectMaxMs: 20 });
    expect((await rejection(plugin.start())).message).toContain('ESME_RINVPASWD');
    expect(plugin.health()).toEqual({
      status: 'down',
      detail: '0/1 binds up; last failure: bind refused (ESME_RINVPASWD)',
    });
    await smsc.waitFor(() => smsc.commands('bind_transceiver').length >= 3, 3000);
  });

  it('names binds that get no bind response', async () => {
    const smsc = await startSmsc();
    // The test SMSC answers bind_transceiver only: bind_transmitter and bind_receiver get no answer.
    const plugin = createPlugin(testContext(), smsc.port, {
      bindMode: 'transmitter-receiver',
      requestTimeoutMs: 50,
      reconnectMinMs: 1000,
      reconnectMaxMs: 1000,
    });
    expect((await rejection(plugin.start())).code).toBe('carrier_timeout');
    expect(plugin.health()).toEqual({
      status: 'down',
      detail: '0/2 binds up; last failure: no bind response',
    });
  });

  it('close() while waiting to reconnect stops the retries', async () => {
    const port = await freePort();
    const plugin = createPlugin(testContext(), port, { reconnectMinMs: 50, reconnectMaxMs: 50 });
    await rejection(plugin.start());
    expect(await within(plugin.close(), 2000)).toBe('closed');
    const smsc = await startSmsc({ port });
    await sleep(200); // four reconnect delays: a bind still retrying would have connected by now
    expect(smsc.sessions).toHaveLength(0);
    expect(plugin.health()).toEqual({ status: 'down', detail: 'closed' });
  });

  it('close() is bounded while a bind waits for an SMSC that never answers nor closes', async () => {
    const smsc = await startSmsc({ bindAnswer: 'none', allowHalfOpen: true });
    const plugin = createPlugin(testContext(), smsc.port, {
      requestTimeoutMs: 60_000,
      closeTimeoutMs: 100,
      reconnectMinMs: 5,
      reconnectMaxMs: 5,
    });
    // Observed from the start: the start fails while close() is still being awaited.
    const startFailure = rejection(plugin.start());
    await smsc.waitFor(() => smsc.commands('bind_transceiver').length === 1);
    expect(await within(plugin.close(), 2000)).toBe('closed');
    expect((await startFailure).code).toBe('carrier_unavailable');
    await sleep(50);
    expect(smsc.commands('bind_transceiver')).toHaveLength(1); // no reconnect after close
  });
});
