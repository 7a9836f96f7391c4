import { type BatchObservableCallback, type Meter, metrics } from '@opentelemetry/api';

/** What the gauges read of one bind. */
export interface ObservedBind {
  readonly isBound: boolean;
  readonly canTransmit: boolean;
  readonly window: { readonly inUse: number; readonly limit: number };
}

interface SmppInstruments {
  meter: Meter;
  binds: ReturnType<Meter['createObservableGauge']>;
  windowInUse: ReturnType<Meter['createObservableGauge']>;
  windowLimit: ReturnType<Meter['createObservableGauge']>;
  throttled: ReturnType<Meter['createCounter']>;
}

let made: { provider: unknown; instruments: SmppInstruments } | undefined;

/** The SMPP plugin's instruments, from the global meter provider (no-op when metrics are off). */
function instruments(): SmppInstruments {
  const provider = metrics.getMeterProvider();
  if (made?.provider === provider) return made.instruments;
  const meter = provider.getMeter('maskline.carrier-smpp');
  const created: SmppInstruments = {
    meter,
    binds: meter.createObservableGauge('maskline.smpp.binds', {
      description: 'SMPP binds of a carrier, by state (up: bound; down: connecting or failed)',
      unit: '{bind}',
    }),
    windowInUse: meter.createObservableGauge('maskline.smpp.window.in_use', {
      description: 'Submits awaiting their submit_sm_resp, over all binds of a carrier',
      unit: '{request}',
    }),
    windowLimit: meter.createObservableGauge('maskline.smpp.window.limit', {
      description: 'Current send window over all transmitting binds (lowered while throttled)',
      unit: '{request}',
    }),
    throttled: meter.createCounter('maskline.carrier.throttled', {
      description: 'Throttling answers from the carrier (ESME_RTHROTTLED, ESME_RMSGQFUL, overrides)',
      unit: '{event}',
    }),
  };
  made = { provider, instruments: created };
  return created;
}

/** Counts one throttling answer of `carrier`. */
export function countThrottled(carrier: string): void {
  instruments().throttled.add(1, { carrier });
}

/**
 * Reports a carrier's binds (up / down) and window (in use / limit) when metrics are
 * collected; reads in-memory state only. Returns the unregister function (on close).
 */
export function observeBinds(
  carrier: string,
  current: readonly ObservedBind[] | (() => readonly ObservedBind[]),
): () => void {
  const m = instruments();
  const callback: BatchObservableCallback = (result) => {
    const binds = typeof current === 'function' ? current() : current;
    const up = binds.filter((b) => b.isBound).length;
    result.observe(m.binds, up, { carrier, state: 'up' });
    result.observe(m.binds, binds.length - up, { carrier, state: 'down' });
    const transmitters = binds.filter((b) => b.canTransmit);
    result.observe(m.windowInUse, sum(transmitters.map((b) => b.window.inUse)), { carrier });
    result.observe(m.windowLimit, sum(transmitters.map((b) => b.window.limit)), { carrier });
  };
  const observables = [m.binds, m.windowInUse, m.windowLimit];
  m.meter.addBatchObservableCallback(callback, observables);
  return () => m.meter.removeBatchObservableCallback(callback, observables);
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
