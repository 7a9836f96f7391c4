import {
  type Attributes,
  type BatchObservableCallback,
  type Meter,
  metrics,
  type Observable,
} from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { countThrottled, type ObservedBind, observeBinds } from '../src/smpp-metrics.js';

/** A global meter that keeps the batch callbacks and counter adds (no SDK needed). */
function fakeMeter() {
  const callbacks = new Set<BatchObservableCallback>();
  const names = new Map<unknown, string>();
  const adds: { name: string; value: number; attributes?: Attributes }[] = [];
  const meter = {
    createObservableGauge: (name: string) => {
      const gauge = {};
      names.set(gauge, name);
      return gauge;
    },
    createCounter: (name: string) => ({
      add: (value: number, attributes?: Attributes) => void adds.push({ name, value, attributes }),
    }),
    addBatchObservableCallback: (cb: BatchObservableCallback) => void callbacks.add(cb),
    removeBatchObservableCallback: (cb: BatchObservableCallback) => void callbacks.delete(cb),
  } as unknown as Meter;
  metrics.disable();
  metrics.setGlobalMeterProvider({ getMeter: () => meter });
  return {
    adds,
    callbacks,
    async collect() {
      const seen: Record<string, number> = {};
      for (const cb of callbacks)
        await cb({
          observe: (o: Observable, value: number, attributes: Attributes = {}) => {
            seen[`${names.get(o)}${JSON.stringify(attributes)}`] = value;
          },
        });
      return seen;
    },
  };
}

const bind = (isBound: boolean, canTransmit: boolean, inUse: number, limit: number): ObservedBind => ({
  isBound,
  canTransmit,
  window: { inUse, limit },
});

describe('SMPP metrics', () => {
  afterEach(() => metrics.disable());

  it('reports binds up and down, and the window over the transmitting binds', async () => {
    const meter = fakeMeter();
    const unobserve = observeBinds('sim', [
      bind(true, true, 3, 10),
      bind(false, true, 0, 5),
      bind(true, false, 0, 10),
    ]);
    expect(await meter.collect()).toEqual({
      'maskline.smpp.binds{"carrier":"sim","state":"up"}': 2,
      'maskline.smpp.binds{"carrier":"sim","state":"down"}': 1,
      'maskline.smpp.window.in_use{"carrier":"sim"}': 3,
      'maskline.smpp.window.limit{"carrier":"sim"}': 15,
    });
    unobserve();
    expect(meter.callbacks.size).toBe(0);
  });

  it('counts throttling answers per carrier', () => {
    const meter = fakeMeter();
    countThrottled('sim');
    countThrottled('sim');
    expect(meter.adds).toEqual([
      { name: 'maskline.carrier.throttled', value: 1, attributes: { carrier: 'sim' } },
      { name: 'maskline.carrier.throttled', value: 1, attributes: { carrier: 'sim' } },
    ]);
  });
});
