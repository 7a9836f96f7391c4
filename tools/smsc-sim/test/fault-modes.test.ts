import { describe, expect, it } from 'vitest';
import { useSimulators } from './fixture.js';
import { sleep } from './smpp-test-client.js';

describe('failure modes over SMPP', () => {
  const sims = useSimulators();

  it('throttles, reports a full queue and rejects with a given status, then recovers', async () => {
    const sim = await sims.start();
    const { client } = await sims.bind(sim);
    sim.setFaults({ throttle: 2, queueFull: 1, rejectSubmits: { status: 0x45, count: 1 } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await client.submit({ registered_delivery: 1 })).command_status);
    expect(statuses).toEqual([0x58, 0x58, 0x14, 0x45, 0]);
    expect(sim.messages()).toHaveLength(1);
    await client.waitForDelivered(1);
    expect(sim.stats()).toMatchObject({
      submits: 5,
      throttled: 2,
      queueFull: 1,
      rejected: 1,
      receiptsSent: 1,
    });
  });

  it('rejects every submit while rejectSubmits has no count, and throttles a fraction', async () => {
    const sim = await sims.start();
    const { client } = await sims.bind(sim);
    sim.setFaults({ rejectSubmits: { status: 0x08 } });
    for (let i = 0; i < 3; i++) expect((await client.submit()).command_status).toBe(0x08);
    sim.setFaults({ throttleRatio: 1 });
    expect((await client.submit()).command_status).toBe(0x58);
    sim.setFaults({});
    expect((await client.submit()).command_status).toBe(0);
  });

  it('drops responses: those submits are never answered', async () => {
    const sim = await sims.start();
    const { client } = await sims.bind(sim);
    sim.setFaults({ dropResponses: 1 });
    const outcome = await Promise.race([
      client.submit().then(() => 'answered'),
      sleep(100).then(() => 'silent'),
    ]);
    expect(outcome).toBe('silent');
    expect((await client.submit()).command_status).toBe(0);
    expect(sim.stats()).toMatchObject({ responsesDropped: 1, submitsAccepted: 1 });
  });

  it('closes the connection at the Nth submit, unanswered', async () => {
    const sim = await sims.start();
    const { client } = await sims.bind(sim);
    sim.setFaults({ disconnectAfter: 2 });
    expect((await client.submit()).command_status).toBe(0);
    let answered = false;
    void client.submit().then(() => {
      answered = true;
    });
    await client.closed;
    expect(answered).toBe(false);
    expect(sim.stats().disconnects).toBe(1);
    const { client: again } = await sims.bind(sim);
    expect((await again.submit()).command_status).toBe(0);
  });
});
