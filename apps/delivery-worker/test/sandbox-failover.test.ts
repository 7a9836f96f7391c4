import { type Message, silentLogger } from '@maskline/core';
import type { MessageRouter, RouteTable } from '@maskline/routing';
import type { DeliveryRecord, MessageFailover } from '@maskline/storage';
import { describe, expect, it } from 'vitest';
import { CarrierFailover } from '../src/delivery/carrier-failover.js';

/** A sandbox message never leaves the sandbox carrier, not even by failover. */
describe('failover of sandbox messages', () => {
  function setup() {
    const moves: string[] = [];
    const failover = new CarrierFailover(
      { current: () => ({ routes: [{ id: 'r1' }] }) } as unknown as RouteTable,
      { route: () => ({ carrierId: 'live', route: null }) } as unknown as Pick<MessageRouter, 'route'>,
      {
        triedCarriers: async () => ['sim'],
        moveToCarrier: async (_id: string, _from: string, to: string) => {
          moves.push(to);
          return true;
        },
        pin: async () => {},
      } as unknown as MessageFailover,
      { enqueue: async () => [] } as never,
      silentLogger,
    );
    const record = (sandbox: boolean) =>
      ({
        message: {
          id: '0190a0b0-0000-7000-8000-000000000001',
          tenantId: '0190a0b0-0000-7000-8000-000000000002',
          carrierId: 'sim',
          status: 'queued',
          kind: 'transactional',
          ...(sandbox ? { sandbox: true } : {}),
        } as Message,
        content: { to: '+447400123456', from: 'Maskline', body: 'hello' },
      }) as unknown as DeliveryRecord;
    return { failover, moves, record };
  }

  it('keeps a sandbox message on its carrier', async () => {
    const { failover, moves, record } = setup();
    expect(await failover.reroute(record(true), 'carrier_down')).toBe(false);
    expect(moves).toEqual([]);
  });

  it('moves a live message as before', async () => {
    const { failover, moves, record } = setup();
    expect(await failover.reroute(record(false), 'carrier_down')).toBe(true);
    expect(moves).toEqual(['live']);
  });
});
