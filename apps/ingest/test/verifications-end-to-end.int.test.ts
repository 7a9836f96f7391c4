import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TEST_PEPPER, TestReceiver } from '@maskline/testing';
import { StackFixture } from '@maskline/testing/stack';
import { extractVerificationCode } from '@maskline/verification';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const cli = fileURLToPath(new URL('../dist/cli/ml-cli.js', import.meta.url));

const user = (i: number) => `+4479123${String(100000 + i).slice(1)}`;
const virtual = (i: number) => `+4479112${String(100000 + i).slice(1)}`;
/** Sequential numbers of one premium-looking range (+373 69 00 dddd), never checked. */
const ATTACK_PREFIX = '+3736900';
const attackNumber = (i: number) => `${ATTACK_PREFIX}${String(i).padStart(4, '0')}`;
/** Normal users spread over five other ranges (+44 7946 0r dddd). */
const normalNumber = (u: number) => `+4479460${u % 5}${String(Math.floor(u / 5)).padStart(4, '0')}`;
/** The detector's default: a range is judged after 20 sends; the 20th trips the block. */
const MIN_SENDS = 20;

interface Answer {
  [key: string]: unknown;
  id?: string;
  status?: string;
  sessionId?: string | null;
  messageId?: string;
  error?: { code: string; details?: Record<string, unknown> };
}

/**
 * Verifications through the real processes (ingest, delivery worker, receipt processor as
 * processes from their build, the SMSC simulator as the carrier, a real webhook receiver):
 * the code is read where a user reads it, in the SMS the SMSC received.
 */
describe('verifications end to end through the real apps', () => {
  const receiver = new TestReceiver();
  let stack: StackFixture;
  /** Every code that went out (8 digits: no chance match in a log), for the privacy scan at the end. */
  const codes = new Set<string>();

  beforeAll(async () => {
    await receiver.start();
    stack = new StackFixture({
      redisUrl: inject('redisUrl'),
      postgresUrl: inject('postgresUrl'),
      tracing: false,
      appEnv: { WEBHOOK_ALLOW_LOOPBACK: '1', WEBHOOK_ALLOWED_PORTS: String(receiver.port) },
      ingestEnv: {
        RATE_LIMIT_PER_MINUTE: '1000000',
        // The pumping detector alone guards the attacked range here (not the hourly range cap).
        VERIFICATION_LIMIT_PER_RANGE_HOUR: '0',
        VERIFICATION_LIMIT_PER_TENANT_HOUR: '0',
      },
    });
    await stack.start();
    const hook = await api('POST', '/v1/webhooks', {
      url: receiver.url,
      eventTypes: ['verification.*', 'security.*', 'inbound.*'],
    });
    expect(hook.status).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await receiver.stop();
  });

  const api = async (method: string, path: string, body?: unknown) =>
    (await stack.api(method, path, body)) as { status: number; body: Answer };

  /** The complete messages the SMSC received for `to`, once there are `count`. */
  async function smsTo(to: string, count = 1, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = stack.sim
        .messages(undefined, { assemble: true })
        .filter((m) => m.destination === to.slice(1) && m.complete);
      if (found.length >= count || Date.now() > deadline) return found;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The code in the latest SMS to `to`, as the extractor (a user's eye) reads it. */
  async function codeSentTo(to: string, count = 1): Promise<{ code: string; source: string; text: string }> {
    const sms = (await smsTo(to, count)).at(-1);
    const code = sms ? extractVerificationCode(sms.text)?.code : undefined;
    if (!sms || !code) throw new Error(`no code reached the SMSC (${count})`);
    codes.add(code);
    return { code, source: sms.source, text: sms.text };
  }

  const events = (type: string) =>
    receiver.received
      .map((r) => JSON.parse(r.rawBody) as { type: string; data: Record<string, unknown> })
      .filter((e) => e.type === type);

  async function eventually(check: () => boolean, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('sends a zh-CN code from the sender id, refuses a wrong one, approves the right one once', async () => {
    const to = user(1);
    const started = await api('POST', '/v1/verifications', {
      to,
      brand: '京东',
      locale: 'zh-CN',
      codeLength: 8,
    });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ status: 'pending', sessionId: null, attemptsRemaining: 5 });
    const { code, source, text } = await codeSentTo(to);
    expect(source).toBe('Verify');
    expect(text.startsWith('【京东】')).toBe(true);
    expect(JSON.stringify(started.body)).not.toContain(code);

    const id = String(started.body.id);
    const wrong = code === '00000000' ? '11111111' : '00000000';
    const miss = await api('POST', `/v1/verifications/${id}/check`, { code: wrong });
    expect(miss).toMatchObject({
      status: 422,
      body: { error: { code: 'verification_code_incorrect', details: { attemptsRemaining: 4 } } },
    });
    const hit = await api('POST', `/v1/verifications/${id}/check`, { code });
    expect(hit).toMatchObject({ status: 200, body: { status: 'approved' } });
    const again = await api('POST', `/v1/verifications/${id}/check`, { code });
    expect(again.body.error?.code).toBe('verification_already_used');

    await eventually(() => events('verification.approved').length === 1);
    expect(events('verification.failed').map((e) => e.data.verificationId)).toEqual([id]);
    expect(events('verification.approved')[0]?.data).toMatchObject({
      verificationId: id,
      status: 'approved',
    });
  });

  it('sends from a masked virtual number: resends from the same one, relays the reply, frees it when approved', async () => {
    const imported = await api('POST', '/v1/masking/numbers/import', {
      carrier: 'sim',
      numbers: [virtual(1), virtual(2)].map((number) => ({ number, country: 'GB' })),
    });
    expect(imported.body).toMatchObject({ imported: 2, errors: [] });
    const to = user(2);
    const started = await api('POST', '/v1/verifications', {
      to,
      brand: 'Acme',
      codeLength: 8,
      virtualNumber: true,
    });
    expect(started.status).toBe(201);
    const { id, sessionId } = started.body as { id: string; sessionId: string };
    expect(sessionId).toEqual(expect.any(String));
    const first = await codeSentTo(to);
    expect([virtual(1), virtual(2)].map((n) => n.slice(1))).toContain(first.source);

    const session = await api('GET', `/v1/masking/sessions/${sessionId}`);
    expect(session.body).toMatchObject({ mode: 'verification', state: 'active' });
    expect(String(session.body.virtualNumber).slice(1)).toBe(first.source);

    // A resend after the cool-down (moved into the past here) leaves from the same number.
    await stack.db.pool.query(
      "UPDATE verifications SET last_sent_at = now() - interval '31 seconds' WHERE id = $1",
      [id],
    );
    const resent = await api('POST', `/v1/verifications/${id}/resend`);
    expect(resent).toMatchObject({ status: 200, body: { sendCount: 2, sessionId } });
    const second = await codeSentTo(to, 2);
    expect(second.source).toBe(first.source);

    // The user answers the virtual number: the reply reaches the tenant's webhook.
    await stack.sim.injectMo({ from: to, to: `+${first.source}`, text: 'did not get it, resend pls' });
    await eventually(() => events('inbound.received').length === 1);
    expect(events('inbound.received')[0]?.data).toMatchObject({
      reason: 'verification_reply',
      virtualNumber: `+${first.source}`,
    });

    if (second.code !== first.code) {
      const stale = await api('POST', `/v1/verifications/${id}/check`, { code: first.code });
      expect(stale.body.error?.code).toBe('verification_code_incorrect');
    }
    const approved = await api('POST', `/v1/verifications/${id}/check`, { code: second.code });
    expect(approved).toMatchObject({ status: 200, body: { status: 'approved', sessionId } });
    const released = await api('GET', `/v1/masking/sessions/${sessionId}`);
    expect(released.body.state).toBe('released');
  });

  it('refuses a virtual number the pool cannot give, and a request that names both senders', async () => {
    const none = await api('POST', '/v1/verifications', {
      to: user(3),
      brand: 'Acme',
      codeLength: 8,
      virtualNumber: { country: 'FR' },
    });
    expect(none).toMatchObject({ status: 503, body: { error: { code: 'pool_exhausted' } } });
    const both = await api('POST', '/v1/verifications', {
      to: user(3),
      brand: 'Acme',
      codeLength: 8,
      from: 'Acme',
      virtualNumber: true,
    });
    expect(both).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_request', details: { field: 'virtualNumber' } } },
    });
  });

  it('replays an SMS-pumping attack: the range is blocked within the bound, normal users are not, a CLI lift reopens it', async () => {
    const attack: { status: number; code?: string }[] = [];
    const normal: { started: number; checked?: number }[] = [];
    for (let i = 0; i < 400; i += 1) {
      const sent = await api('POST', '/v1/verifications', {
        to: attackNumber(i),
        brand: 'Acme',
        codeLength: 8,
      });
      attack.push({ status: sent.status, ...(sent.body.error ? { code: sent.body.error.code } : {}) });
      if (i % 8 !== 0) continue;
      // One normal user for every eight attack sends; nine in ten type the code they received.
      const u = i / 8;
      const to = normalNumber(u);
      const started = await api('POST', '/v1/verifications', { to, brand: 'Acme', codeLength: 8 });
      if (started.status !== 201 || u % 10 === 3) {
        normal.push({ started: started.status });
        continue;
      }
      const { code } = await codeSentTo(to);
      const checked = await api('POST', `/v1/verifications/${String(started.body.id)}/check`, { code });
      normal.push({ started: started.status, checked: checked.status });
    }

    expect(attack.findIndex((a) => a.status !== 201)).toBe(MIN_SENDS - 1);
    expect(attack.filter((a) => a.status === 201)).toHaveLength(MIN_SENDS - 1);
    expect(attack.slice(MIN_SENDS - 1).every((a) => a.code === 'verification_range_blocked')).toBe(true);
    expect(normal).toHaveLength(50);
    expect(normal.every((n) => n.started === 201)).toBe(true);
    expect(normal.filter((n) => n.checked === 200)).toHaveLength(45);
    // At the carrier: only the sends before the block went out to the attacked range.
    const attacked = () =>
      stack.sim.messages().filter((m) => m.destination.startsWith(ATTACK_PREFIX.slice(1))).length;
    await eventually(() => attacked() >= MIN_SENDS - 1);
    expect(attacked()).toBe(MIN_SENDS - 1);

    await eventually(() => events('security.alert').length === 1);
    const alert = events('security.alert')[0]?.data ?? {};
    expect(alert).toMatchObject({
      kind: 'verification_pumping',
      country: 'MD',
      sends: MIN_SENDS,
      approvals: 0,
    });

    // An admin lifts the block with the CLI (a separate process); the range sends again.
    const lifted = spawnSync(
      process.execPath,
      [cli, 'verification-blocks', 'lift', '--tenant', stack.tenantId, '--id', String(alert.blockId)],
      {
        env: {
          ...process.env,
          DATABASE_URL: stack.db.url,
          API_KEY_PEPPER: TEST_PEPPER,
          ...stack.db.vaultEnv,
        },
        encoding: 'utf8',
      },
    );
    expect(lifted.status, lifted.stderr).toBe(0);
    expect(JSON.parse(lifted.stdout)).toMatchObject({ id: alert.blockId, status: 'lifted' });
    const reopened = await api('POST', '/v1/verifications', {
      to: attackNumber(5_000),
      brand: 'Acme',
      codeLength: 8,
    });
    expect(reopened.status).toBe(201);
  }, 180_000);

  it('never shows a code or a real number in any log line or webhook', async () => {
    expect(codes.size).toBeGreaterThan(40);
    const output = [...stack.logLines(), ...receiver.received.map((r) => r.rawBody)].join('\n');
    expect(stack.logLines().length).toBeGreaterThan(0);
    const leaked = [...codes].filter((code) => new RegExp(`(?<![0-9])${code}(?![0-9])`).test(output));
    expect(leaked).toEqual([]);
    for (const n of [user(1), user(2), normalNumber(0), attackNumber(0)]) {
      expect(output).not.toContain(n.slice(1));
    }
    // The blocked range is named to the tenant in its security.alert (a range, not a
    // person's number), never in a log line.
    expect(stack.logLines().join('\n')).not.toContain(ATTACK_PREFIX.slice(1));
  });
});
