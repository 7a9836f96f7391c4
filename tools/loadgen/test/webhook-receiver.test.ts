import { signatureHeader } from '@maskline/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookReceiver } from '../src/webhook-receiver.js';

describe("the bench's webhook receiver", () => {
  const receiver = new WebhookReceiver();
  beforeAll(async () => {
    await receiver.start();
    receiver.secret = 'bench-secret';
  });
  afterAll(() => receiver.stop());

  const post = async (data: Record<string, unknown>, secret = 'bench-secret') => {
    const body = JSON.stringify({ id: 'e', type: 'message.status', data });
    const response = await fetch(receiver.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'maskline-signature': signatureHeader([secret], body, Math.floor(Date.now() / 1000)),
      },
      body,
    });
    return response.status;
  };

  it('notes the first signed delivered webhook of a message, refuses a bad signature', async () => {
    expect(await post({ messageId: 'm1', status: 'submitted' })).toBe(200);
    expect(receiver.deliveredAt.has('m1')).toBe(false);
    const before = Date.now();
    expect(await post({ messageId: 'm1', status: 'delivered' })).toBe(200);
    const first = receiver.deliveredAt.get('m1');
    expect(first).toBeGreaterThanOrEqual(before);
    expect(await post({ messageId: 'm1', status: 'delivered' })).toBe(200);
    expect(receiver.deliveredAt.get('m1')).toBe(first);
    expect(await post({ messageId: 'm2', status: 'delivered' }, 'wrong')).toBe(400);
    expect(receiver.deliveredAt.has('m2')).toBe(false);
    expect(receiver.badSignatures).toBe(1);
    expect(receiver.requests).toBe(4);
  });
});

describe("the receiver's outage (the chaos drill's webhook-receiver fault)", () => {
  const receiver = new WebhookReceiver();
  const events: string[] = [];
  beforeAll(async () => {
    await receiver.start();
    receiver.secret = 'drill-secret';
    receiver.onEvent = (event) => events.push(`${event.id}:${event.messageId}:${event.status}`);
  });
  afterAll(() => receiver.stop());

  const post = (id: string) => {
    const body = JSON.stringify({
      id,
      type: 'message.status',
      data: { messageId: 'm9', status: 'delivered' },
    });
    return fetch(receiver.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'maskline-signature': signatureHeader(['drill-secret'], body, Math.floor(Date.now() / 1000)),
      },
      body,
    }).then(
      (r) => r.status,
      () => 'dropped' as const,
    );
  };

  it('answers 500 or drops the connection while the outage is on, noting nothing; then recovers', async () => {
    receiver.outage = 'error-500';
    expect(await post('e1')).toBe(500);
    receiver.outage = 'drop';
    expect(await post('e1')).toBe('dropped');
    expect(receiver.refused).toBe(2);
    expect(events).toEqual([]);
    expect(receiver.deliveredAt.has('m9')).toBe(false);
    receiver.outage = null;
    expect(await post('e1')).toBe(200);
    expect(await post('e1')).toBe(200);
    expect(events).toEqual(['e1:m9:delivered', 'e1:m9:delivered']);
    expect(receiver.deliveredAt.has('m9')).toBe(true);
  });
});
