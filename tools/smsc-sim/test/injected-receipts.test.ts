import { describe, expect, it } from 'vitest';
import { buildControlApi } from '../src/index.js';
import { useSimulators } from './fixture.js';

describe('receipts on demand and receipts before the answer', () => {
  const sims = useSimulators();

  it('sends a receipt for a recorded submit on demand, as often as asked', async () => {
    const sim = await sims.start();
    const { client } = await sims.bind(sim);
    const id = String((await client.submit({ registered_delivery: 0 })).message_id);
    sim.injectReceipt({ messageId: id, stat: 'UNDELIV' });
    sim.injectReceipt({ messageId: id, stat: 'UNDELIV' });
    const receipts = await client.waitForDelivered(2);
    expect(receipts.map((r) => [r.receipted_message_id, r.message_state])).toEqual([
      [id, 5],
      [id, 5],
    ]);
    expect(() => sim.injectReceipt({ messageId: 'nope', stat: 'DELIVRD' })).toThrow(/no recorded submit/);
  });

  it('answers POST /receipts, and 404 unknown_message for an id it never accepted', async () => {
    const sim = await sims.start();
    const { client } = await sims.bind(sim);
    const id = String((await client.submit({ registered_delivery: 0 })).message_id);
    const app = buildControlApi(sim);
    const ok = await app.inject({
      method: 'POST',
      url: '/receipts',
      payload: { messageId: id, stat: 'DELIVRD' },
    });
    expect(ok.json()).toEqual({ sent: true });
    await client.waitForDelivered(1);
    const unknown = await app.inject({
      method: 'POST',
      url: '/receipts',
      payload: { messageId: 'ffff', stat: 'DELIVRD' },
    });
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, 'unknown_message']);
    await app.close();
  });

  it('sends the receipt before the submit_sm_resp with receiptFirst', async () => {
    const sim = await sims.start();
    const { client } = await sims.bind(sim);
    sim.setFaults({ receiptFirst: 1 });
    let deliveredBeforeAnswer = -1;
    const resp = await client.submit({ registered_delivery: 1 }).then((r) => {
      deliveredBeforeAnswer = client.delivered.length;
      return r;
    });
    expect(deliveredBeforeAnswer).toBe(1);
    expect(client.delivered[0]?.receipted_message_id).toBe(resp.message_id);
    await client.submit({ registered_delivery: 1 });
    await client.waitForDelivered(2);
  });
});
