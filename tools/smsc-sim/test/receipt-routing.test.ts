import { describe, expect, it } from 'vitest';
import { useSimulators } from './fixture.js';
import { eventually, sleep } from './smpp-test-client.js';

describe('receipt routing', () => {
  const sims = useSimulators();

  it('sends the receipt of a transmitter bind to a receiver bind of the same system_id', async () => {
    const sim = await sims.start();
    const { client: other } = await sims.bind(sim, { system_id: 'other' }, 'bind_receiver');
    const { client: tx } = await sims.bind(sim, { system_id: 'test' }, 'bind_transmitter');
    const { client: rx } = await sims.bind(sim, { system_id: 'test' }, 'bind_receiver');
    const resp = await tx.submit({ registered_delivery: 1 });
    const [receipt] = await rx.waitForDelivered(1);
    expect(receipt?.receipted_message_id).toBe(resp.message_id);
    expect(other.delivered).toHaveLength(0);
    expect(tx.delivered).toHaveLength(0);
  });

  it('prefers the submitting transceiver over other receivers', async () => {
    const sim = await sims.start();
    const { client: rx } = await sims.bind(sim, { system_id: 'test' }, 'bind_receiver');
    const { client: trx } = await sims.bind(sim, { system_id: 'test' });
    for (let i = 0; i < 3; i++) await trx.submit({ registered_delivery: 1 });
    await trx.waitForDelivered(3);
    expect(rx.delivered).toHaveLength(0);
  });

  it('keeps receipts for a system_id with no receiver until one binds', async () => {
    const sim = await sims.start();
    const { client: tx } = await sims.bind(sim, { system_id: 'test' }, 'bind_transmitter');
    await tx.submit({ registered_delivery: 1 });
    await tx.submit({ registered_delivery: 1 });
    expect(sim.stats().receiptsPending).toBe(2);
    const { client: rx } = await sims.bind(sim, { system_id: 'test' }, 'bind_receiver');
    expect(await rx.waitForDelivered(2)).toHaveLength(2);
    expect(sim.stats().receiptsPending).toBe(0);
  });

  it('discards receipts beyond pendingReceiptLimit', async () => {
    const sim = await sims.start({ pendingReceiptLimit: 1 });
    const { client: tx } = await sims.bind(sim, { system_id: 'test' }, 'bind_transmitter');
    await tx.submit({ registered_delivery: 1 });
    await tx.submit({ registered_delivery: 1 });
    expect(sim.stats()).toMatchObject({ receiptsPending: 1, receiptsDiscarded: 1 });
  });

  it('redelivers a receipt the client refused, up to receiptMaxAttempts', async () => {
    const sim = await sims.start({ receiptRetryMs: 10, receiptMaxAttempts: 3 });
    const { client } = await sims.bind(sim);
    client.deliverStatus = 0x64; // ESME_RX_T_APPN: try later
    await client.submit({ registered_delivery: 1 });
    const tries = await client.waitForDelivered(3);
    expect(new Set(tries.map((p) => p.receipted_message_id)).size).toBe(1);
    await eventually(() => sim.stats().receiptsDiscarded === 1);
    expect(sim.stats()).toMatchObject({ receiptsSent: 3, receiptsRefused: 3, receiptsAcknowledged: 0 });

    client.deliverStatus = 0;
    await client.submit({ registered_delivery: 1 });
    await client.waitForDelivered(4);
    await eventually(() => sim.stats().receiptsAcknowledged === 1);
  });

  it('routes a receipt left unanswered on a closed session to the next bind', async () => {
    const sim = await sims.start();
    const { client: first } = await sims.bind(sim);
    first.deliverStatus = null; // never answers
    await first.submit({ registered_delivery: 1 });
    await first.waitForDelivered(1);
    await first.close();
    await eventually(() => sim.stats().receiptsPending === 1);
    const { client: second } = await sims.bind(sim);
    const [receipt] = await second.waitForDelivered(1);
    expect(receipt?.receipted_message_id).toBe(first.delivered[0]?.receipted_message_id);
  });

  it('sends the receipt even when the connection dropped before the delayed response', async () => {
    const sim = await sims.start({ submitRespDelayMs: 30 });
    const { client } = await sims.bind(sim);
    void client.submit({ registered_delivery: 1 }).catch(() => {});
    await sleep(5);
    await client.close();
    await eventually(() => sim.stats().receiptsPending === 1);
    expect(sim.messages()).toHaveLength(1);
  });
});
