import { MasklineError } from '@maskline/core';
import { targetPolicy } from '@maskline/webhooks';
import { describe, expect, it } from 'vitest';
import { StatusCallbacks } from '../src/messages/status-callbacks.js';

function setup(ttlMs = 10_000) {
  let now = 0;
  const reads: string[] = [];
  const byTenant = new Map<string, { id: string; url: string }[]>([
    ['t1', [{ id: 'e1', url: 'https://hooks.example.com/status' }]],
    ['t2', [{ id: 'e2', url: 'https://other.example.com/' }]],
  ]);
  const callbacks = new StatusCallbacks(
    {
      enabledUrls: async (tenantId) => {
        reads.push(tenantId);
        return byTenant.get(tenantId) ?? [];
      },
    },
    targetPolicy(),
    { now: () => new Date(now) },
    ttlMs,
  );
  return { callbacks, reads, byTenant, advance: (ms: number) => (now += ms) };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (error) {
    return error instanceof MasklineError ? error.code : 'not-a-maskline-error';
  }
}

describe('StatusCallbacks (the ingest cache of endpoint URLs)', () => {
  it('reads a tenant endpoints once per TTL, not once per request', async () => {
    const { callbacks, reads, advance } = setup();
    for (let i = 0; i < 5; i++) {
      expect(await callbacks.resolve('t1', `https://hooks.example.com/status/m${i}`)).toEqual({
        endpointId: 'e1',
        url: `https://hooks.example.com/status/m${i}`,
      });
    }
    expect(reads).toEqual(['t1']);
    advance(10_000);
    await callbacks.resolve('t1', 'https://hooks.example.com/status/m9');
    expect(reads).toEqual(['t1', 't1']);
  });

  it("never matches another tenant's endpoint", async () => {
    const { callbacks } = setup();
    expect(await codeOf(callbacks.resolve('t1', 'https://other.example.com/x'))).toBe(
      'status_callback_not_registered',
    );
    expect(await codeOf(callbacks.resolve('t2', 'https://hooks.example.com/status/x'))).toBe(
      'status_callback_not_registered',
    );
  });

  it('finds an endpoint created within the TTL (a miss reads once more)', async () => {
    const { callbacks, reads, byTenant } = setup();
    await callbacks.resolve('t1', 'https://hooks.example.com/status/a');
    byTenant.set('t1', [...byTenant.get('t1')!, { id: 'e3', url: 'https://new.example.com/cb' }]);
    expect(await callbacks.resolve('t1', 'https://new.example.com/cb/1')).toEqual({
      endpointId: 'e3',
      url: 'https://new.example.com/cb/1',
    });
    expect(reads).toEqual(['t1', 't1']);
  });

  it('refuses a bad URL before any read', async () => {
    const { callbacks, reads } = setup();
    expect(await codeOf(callbacks.resolve('t1', 'javascript:alert(1)'))).toBe('invalid_webhook_url');
    expect(reads).toEqual([]);
  });

  it('does not keep a failed read', async () => {
    let fail = true;
    const callbacks = new StatusCallbacks(
      {
        enabledUrls: async () => {
          if (fail) throw new Error('database away');
          return [{ id: 'e1', url: 'https://hooks.example.com/' }];
        },
      },
      targetPolicy(),
      { now: () => new Date(0) },
    );
    await expect(callbacks.resolve('t1', 'https://hooks.example.com/a')).rejects.toThrow('database away');
    fail = false;
    expect((await callbacks.resolve('t1', 'https://hooks.example.com/a')).endpointId).toBe('e1');
  });
});
