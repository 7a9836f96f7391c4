import {
  type Attributes,
  type BatchObservableCallback,
  type Meter,
  type MeterProvider,
  metrics,
  type Observable,
} from '@opentelemetry/api';

/**
 * A meter provider that records what a batch observable callback reports, for unit tests
 * of observable gauges without the SDK: registerFakeMeter(), then collect().
 */
export function registerFakeMeter(): {
  collect(): Promise<{ name: string; value: number; attributes: Attributes }[]>;
  callbacks(): number;
  restore(): void;
} {
  const callbacks = new Set<BatchObservableCallback>();
  const names = new Map<Observable, string>();
  const gauge = (name: string) => {
    const observable = { addCallback() {}, removeCallback() {} } as unknown as Observable;
    names.set(observable, name);
    return observable;
  };
  const meter = {
    createObservableGauge: gauge,
    createCounter: () => ({ add() {} }),
    addBatchObservableCallback: (cb: BatchObservableCallback) => void callbacks.add(cb),
    removeBatchObservableCallback: (cb: BatchObservableCallback) => void callbacks.delete(cb),
  } as unknown as Meter;
  const provider: MeterProvider = { getMeter: () => meter };
  metrics.disable();
  metrics.setGlobalMeterProvider(provider);
  return {
    async collect() {
      const seen: { name: string; value: number; attributes: Attributes }[] = [];
      for (const cb of callbacks) {
        await cb({
          observe: (observable: Observable, value: number, attributes: Attributes = {}) =>
            void seen.push({ name: names.get(observable) ?? '?', value, attributes }),
        });
      }
      return seen;
    },
    callbacks: () => callbacks.size,
    restore: () => metrics.disable(),
  };
}
