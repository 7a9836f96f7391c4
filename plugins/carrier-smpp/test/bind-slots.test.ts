import type { SlotLeases, SlotListener } from '@maskline/core';
import { describe, expect, it } from 'vitest';
import { testContext } from './support/context.js';
import { closeAfterEach, createPlugin, rejection, request, startSmsc } from './support/harness.js';

closeAfterEach();

/** Slot leases the test hands out and takes back by hand (the host's are on Redis). */
function manualLeases(initial: number[]) {
  let listener: SlotListener | undefined;
  const held = new Set<number>();
  let released = false;
  const leases: SlotLeases = {
    hold: async (_count, l) => {
      listener = l;
      for (const slot of initial) {
        held.add(slot);
        l.acquired(slot);
      }
      return {
        held,
        letGoWithinMs: 300,
        release: async () => {
          released = true;
        },
      };
    },
  };
  return {
    leases,
    give: (slot: number) => {
      held.add(slot);
      listener!.acquired(slot);
    },
    take: (slot: number) => {
      held.delete(slot);
      listener!.lost(slot);
    },
    get released() {
      return released;
    },
  };
}

describe('SMPP carrier: bind slots leased across processes', () => {
  it('binds only the slots it holds', async () => {
    const smsc = await startSmsc();
    const slots = manualLeases([1]);
    const plugin = createPlugin({ ...testContext(), slots: slots.leases }, smsc.port, { binds: 3 });
    await plugin.start();
    expect(smsc.commands('bind_transceiver')).toHaveLength(1);
    expect(plugin.health()).toEqual({ status: 'up', detail: '1/1 binds up; holds 1 of 3 bind slots' });
    await plugin.close();
    expect(slots.released).toBe(true);
  });

  it('is on standby holding no slot, and binds as soon as one is acquired', async () => {
    const smsc = await startSmsc();
    const slots = manualLeases([]);
    const plugin = createPlugin({ ...testContext(), slots: slots.leases }, smsc.port, { binds: 2 });
    await plugin.start(); // not a failure
    expect(plugin.health()).toEqual({
      status: 'down',
      standby: true,
      detail: 'standby: other processes hold all 2 bind slots',
    });
    expect((await rejection(plugin.submit(request))).code).toBe('carrier_unavailable');
    expect(smsc.commands('bind_transceiver')).toHaveLength(0);

    slots.give(0);
    await smsc.waitFor(() => plugin.health().status === 'up');
    expect((await plugin.submit(request)).carrierMessageId).toBe('msg-1');
  });

  it('unbinds a lost slot at once and goes on standby', async () => {
    const smsc = await startSmsc();
    const slots = manualLeases([0]);
    const plugin = createPlugin({ ...testContext(), slots: slots.leases }, smsc.port, { binds: 1 });
    await plugin.start();
    expect(plugin.health().status).toBe('up');
    const lostAt = Date.now();
    slots.take(0);
    expect(plugin.health().standby).toBe(true);
    await smsc.waitFor(() => smsc.commands('unbind').length === 1, 1_000);
    expect(Date.now() - lostAt).toBeLessThan(300);
    expect((await rejection(plugin.submit(request))).code).toBe('carrier_unavailable');
  });
});
