import type { CarrierPlugin } from '@maskline/core';
import { describe, expect, it } from 'vitest';
import { GuardedCarrier } from '../src/carriers/guarded-carrier.js';

function pluginWith(inFlightLimit: unknown): CarrierPlugin {
  return {
    start: async () => {},
    submit: async () => ({ carrierMessageId: 'c-1', partIds: [], segments: 1 }),
    health: () => ({ status: 'up' }),
    close: async () => {},
    inFlightLimit,
  } as CarrierPlugin;
}

describe('GuardedCarrier.inFlightLimit', () => {
  it("passes on a plugin's positive whole limit and ignores anything else", () => {
    expect(new GuardedCarrier('c', pluginWith(20), 1000).inFlightLimit).toBe(20);
    for (const bad of [undefined, 0, -3, 2.5, Number.NaN, '10']) {
      expect(new GuardedCarrier('c', pluginWith(bad), 1000).inFlightLimit).toBeUndefined();
    }
  });
});
