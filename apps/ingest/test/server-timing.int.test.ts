import { describe, expect, it } from 'vitest';
import { loadIngestConfig } from '../src/config.js';
import { startTestApp } from './support/test-app.js';

const STAGES = ['auth', 'body', 'ratelimit', 'commit-wait', 'insert', 'reply', 'total'];
/** Not a stage of the request: the event loop's worst delay just before the reply. */
const LOOP = 'loop-delay';
const TO = '+447911123456';
const BODY = 'server timing secret body';

/** `name;dur=1.234, …` → name → ms */
function stages(header: string): Map<string, number> {
  return new Map(
    header.split(', ').map((entry) => {
      const [name, dur] = entry.split(';dur=');
      return [name!, Number(dur)];
    }),
  );
}

describe('Server-Timing (INGEST_SERVER_TIMING)', () => {
  it('names every stage of an accepted message, with durations that add up, and nothing else', async () => {
    const host = await startTestApp({ rateLimitPerMinute: 1000, serverTiming: true });
    try {
      const sends = Array.from({ length: 5 }, () =>
        host.app.inject({
          method: 'POST',
          url: '/v1/messages',
          headers: { authorization: `Bearer ${host.apiKey}` },
          payload: { to: TO, from: 'Maskline', body: BODY },
        }),
      );
      for (const res of await Promise.all(sends)) {
        expect(res.statusCode).toBe(202);
        const header = String(res.headers['server-timing']);
        const s = stages(header);
        expect([...s.keys()].filter((n) => n !== LOOP)).toEqual(STAGES);
        for (const ms of s.values()) expect(ms).toBeGreaterThanOrEqual(0);
        const parts = STAGES.filter((n) => n !== 'total').reduce((sum, n) => sum + s.get(n)!, 0);
        // The stages are consecutive: together they are the whole request, give or take rounding.
        expect(parts).toBeCloseTo(s.get('total')!, 1);
        // Stage names and numbers only: no id, no number, no body, no tenant.
        expect(header).toMatch(/^[a-z-]+;dur=\d+\.\d{3}(, [a-z-]+;dur=\d+\.\d{3})*$/);
        expect(header).not.toContain(res.json().id);
        expect(header).not.toContain(host.tenantId);
      }
      // A refused request still says how long its auth took, and nothing about a message.
      const refused = await host.app.inject({ method: 'POST', url: '/v1/messages', payload: {} });
      expect(refused.statusCode).toBe(401);
      const refusedStages = [...stages(String(refused.headers['server-timing'])).keys()];
      expect(refusedStages.filter((n) => n !== LOOP)).toEqual(['auth', 'total']);
    } finally {
      await host.close();
    }
  });

  it("reports the event loop's worst delay of the last window beside the stages", async () => {
    const host = await startTestApp({ rateLimitPerMinute: 1000, serverTiming: true });
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Keep the loop busy for 80 ms, then let the next window's sample see it.
      const busyUntil = performance.now() + 80;
      while (performance.now() < busyUntil) {}
      await new Promise((resolve) => setTimeout(resolve, 300));
      const res = await host.app.inject({ method: 'GET', url: '/v1/messages/none', headers: {} });
      const s = stages(String(res.headers['server-timing']));
      expect(s.get(LOOP)).toBeGreaterThanOrEqual(70);
      await new Promise((resolve) => setTimeout(resolve, 900));
      const calm = await host.app.inject({ method: 'GET', url: '/v1/messages/none', headers: {} });
      expect(stages(String(calm.headers['server-timing'])).get(LOOP)).toBeLessThan(70);
    } finally {
      await host.close();
    }
  });

  it('sends no Server-Timing header when the setting is off (the default)', async () => {
    const host = await startTestApp({ rateLimitPerMinute: 1000 });
    try {
      const res = await host.app.inject({
        method: 'POST',
        url: '/v1/messages',
        headers: { authorization: `Bearer ${host.apiKey}` },
        payload: { to: TO, from: 'Maskline', body: BODY },
      });
      expect(res.statusCode).toBe(202);
      expect(res.headers['server-timing']).toBeUndefined();
    } finally {
      await host.close();
    }
  });

  it('is off unless INGEST_SERVER_TIMING=1', () => {
    const env = {
      API_KEY_PEPPER: 'p'.repeat(16),
      DATABASE_URL: 'postgres://x',
      REDIS_URL: 'redis://x',
      CARRIERS: '[{"id":"sim","plugin":"smpp"}]',
    };
    expect(loadIngestConfig(env).INGEST_SERVER_TIMING).toBe(false);
    expect(loadIngestConfig({ ...env, INGEST_SERVER_TIMING: '1' }).INGEST_SERVER_TIMING).toBe(true);
    expect(loadIngestConfig({ ...env, INGEST_SERVER_TIMING: '0' }).INGEST_SERVER_TIMING).toBe(false);
  });
});
