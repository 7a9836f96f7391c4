import { Socket } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { testContext } from './support/context.js';
import { closeAfterEach, createPlugin, rejection, request, setup, startSmsc } from './support/harness.js';
import { TestSmsc } from './support/test-smsc.js';

closeAfterEach();

describe('SMPP carrier: link lifecycle', () => {
  it('rejects in-flight submits with carrier_unavailable when the SMSC drops the link, then rebinds', async () => {
    let submits = 0;
    const { smsc, plugin } = await setup({ onSubmit: () => (++submits === 1 ? { silent: true } : {}) });
    const inFlight = plugin.submit(request);
    await smsc.waitFor(() => smsc.commands('submit_sm').length === 1);
    smsc.session.destroy();
    expect((await rejection(inFlight)).code).toBe('carrier_unavailable');
    await smsc.waitFor(() => smsc.binds === 2 && plugin.health().status === 'up');
    const result = await plugin.submit(request);
    expect(result.carrierMessageId).toMatch(/^msg-/);
  });

  it('fails fast with carrier_unavailable while no bind is up', async () => {
    const { smsc, plugin } = await setup({}, { reconnectMinMs: 5000, reconnectMaxMs: 5000 });
    smsc.session.destroy();
    await smsc.waitFor(() => plugin.health().status === 'down');
    expect(plugin.health()).toEqual({ status: 'down', detail: '0/1 binds up; last failure: link closed' });
    expect((await rejection(plugin.submit(request))).code).toBe('carrier_unavailable');
  });

  it('tears the link down and rebinds when enquire_link goes unanswered', async () => {
    const { smsc, plugin } = await setup(
      { answerEnquireLink: (count) => count > 1 },
      { enquireLinkIntervalMs: 50, enquireLinkTimeoutMs: 150 },
    );
    await smsc.waitFor(() => smsc.binds === 2, 3000);
    expect(smsc.enquireLinks).toBeGreaterThanOrEqual(1);
    await smsc.waitFor(() => plugin.health().status === 'up');
    expect((await plugin.submit(request)).carrierMessageId).toMatch(/^msg-/);
  });

  it('answers the SMSC enquire_link', async () => {
    const { smsc } = await setup();
    const pdu = await smsc.request('enquire_link', {});
    expect(pdu.command).toBe('enquire_link_resp');
  });

  it('answers an SMSC unbind with unbind_resp, then reconnects', async () => {
    const { smsc, plugin } = await setup();
    const pdu = await smsc.request('unbind', {});
    expect(pdu.command).toBe('unbind_resp');
    await smsc.waitFor(() => smsc.binds === 2 && plugin.health().status === 'up');
  });

  it('rejects start() naming ESME_RINVPASWD on a wrong password', async () => {
    const smsc = await startSmsc({ password: 'other' });
    const p = createPlugin(testContext(), smsc.port);
    const error = await rejection(p.start());
    expect(error.code).toBe('carrier_unavailable');
    expect(error.message).toContain('ESME_RINVPASWD');
    expect(p.health().status).toBe('down');
  });

  it('rejects start() when the bind is answered with generic_nack, or not at all', async () => {
    const nack = await startSmsc({ bindAnswer: 'generic_nack' });
    const error = await rejection(createPlugin(testContext(), nack.port).start());
    expect(error.code).toBe('carrier_unavailable');
    expect(error.message).toContain('generic_nack');
    await nack.close();

    const silent = await startSmsc({ bindAnswer: 'none' });
    const started = Date.now();
    const timeout = await rejection(
      createPlugin(testContext(), silent.port, { requestTimeoutMs: 100 }).start(),
    );
    expect(timeout.code).toBe('carrier_timeout');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('rejects start() with carrier_unavailable when nothing listens', async () => {
    const probe = await TestSmsc.start();
    const port = probe.port;
    await probe.close();
    const p = createPlugin(testContext(), port);
    expect((await rejection(p.start())).code).toBe('carrier_unavailable');
  });

  it('survives garbage bytes from the SMSC and reconnects', async () => {
    const { smsc, plugin } = await setup();
    smsc.session.socket.write(Buffer.alloc(32, 0xff));
    await smsc.waitFor(() => smsc.binds === 2 && plugin.health().status === 'up');
    expect((await plugin.submit(request)).carrierMessageId).toMatch(/^msg-/);
  });

  it('drops a link the SMSC unbinds but never closes, then rebinds', async () => {
    const { smsc, plugin } = await setup({ allowHalfOpen: true }, { closeTimeoutMs: 100 });
    expect((await smsc.request('unbind', {})).command).toBe('unbind_resp');
    expect(plugin.health().status).toBe('down');
    await smsc.waitFor(() => smsc.binds === 2 && plugin.health().status === 'up');
  });

  it('answers an SMSC request it does not handle with ESME_RINVCMDID and stays bound', async () => {
    const { smsc, plugin } = await setup();
    const pdu = await smsc.request('query_sm', { message_id: 'x', source_addr: '1' });
    expect(pdu.command).toBe('query_sm_resp');
    expect(pdu.command_status).toBe(0x03);
    expect(plugin.health().status).toBe('up');
    expect((await plugin.submit(request)).carrierMessageId).toMatch(/^msg-/);
  });

  it('sets TCP_NODELAY on its socket (the smpp package does not)', async () => {
    const smsc = await startSmsc();
    const spy = vi.spyOn(Socket.prototype, 'setNoDelay');
    try {
      await createPlugin(testContext(), smsc.port).start();
      const onClientSocket = spy.mock.contexts.some((socket) => (socket as Socket).remotePort === smsc.port);
      expect(onClientSocket).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });

  it('round-robins over several binds and reports degraded health', async () => {
    const { smsc, plugin } = await setup({}, { binds: 2, reconnectMinMs: 5000, reconnectMaxMs: 5000 });
    expect(plugin.health()).toEqual({ status: 'up', detail: '2/2 binds up' });
    await plugin.submit(request);
    await plugin.submit(request);
    const sessions = new Set(
      smsc.received.filter((r) => r.pdu.command === 'submit_sm').map((r) => r.session),
    );
    expect(sessions.size).toBe(2);
    smsc.session.destroy();
    await smsc.waitFor(() => plugin.health().status === 'degraded');
    expect(plugin.health().detail).toBe('1/2 binds up; last failure: link closed');
    expect((await plugin.submit(request)).carrierMessageId).toMatch(/^msg-/);
  });

  it('close() waits for the window, unbinds and disconnects', async () => {
    const { smsc, plugin } = await setup({ onSubmit: () => ({ delayMs: 50 }) });
    const inFlight = plugin.submit(request);
    await smsc.waitFor(() => smsc.commands('submit_sm').length === 1);
    await plugin.close();
    expect((await inFlight).carrierMessageId).toBe('msg-1');
    expect(smsc.commands('unbind')).toHaveLength(1);
    await smsc.waitFor(() => smsc.boundSessions.length === 0);
    expect(plugin.health().status).toBe('down');
    expect((await rejection(plugin.submit(request))).code).toBe('carrier_unavailable');
  });
});
