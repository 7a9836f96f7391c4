/// <reference types="@maskline/smpp-types" preserve="true" />
import smpp from 'smpp';
import { describe, expect, it } from 'vitest';
import { PendingRequests } from '../src/session/pending-requests.js';

const response = (sequence: number) =>
  new smpp.PDU('bind_transceiver_resp', { sequence_number: sequence, system_id: 'x' });

describe('PendingRequests', () => {
  it('runs onResponse synchronously when the response is settled, before the promise continuation', async () => {
    const pending = new PendingRequests();
    const order: string[] = [];
    const done = pending
      .track(7, 'bind_transceiver', 1000, () => order.push('onResponse'))
      .then(() => {
        order.push('continuation');
      });
    expect(pending.settle(response(7))).toBe(true);
    order.push('after settle'); // e.g. the next PDU of the same TCP read
    await done;
    expect(order).toEqual(['onResponse', 'after settle', 'continuation']);
  });

  it('rejects the request instead of throwing when onResponse throws', async () => {
    const pending = new PendingRequests();
    const done = pending.track(8, 'bind_transceiver', 1000, () => {
      throw new Error('handler bug');
    });
    expect(() => pending.settle(response(8))).not.toThrow();
    await expect(done).rejects.toThrow('handler bug');
    expect(pending.size).toBe(0);
  });
});
