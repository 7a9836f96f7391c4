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
