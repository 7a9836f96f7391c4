import { type Meter, metrics } from '@opentelemetry/api';

function create(meter: Meter) {
  return {
    loads: meter.createCounter('maskline.vault.key_loads', {
      description: "Loads of a tenant's data keys into this process (a cache miss), by outcome",
      unit: '{load}',
    }),
    duration: meter.createHistogram('maskline.vault.key_load.duration', {
      description: "Time to load and unwrap a tenant's keys (the key provider or HSM included)",
      unit: 's',
    }),
  };
}

let made: { provider: unknown; instruments: ReturnType<typeof create> } | undefined;

/** The vault's instruments, from the global meter provider (no-op when metrics are off). */
function instruments(): ReturnType<typeof create> {
  const provider = metrics.getMeterProvider();
  if (made?.provider !== provider)
    made = { provider, instruments: create(provider.getMeter('maskline.vault')) };
  return made.instruments;
}

/** One tenant key load: its outcome (`loaded` or `failed`) and duration. No tenant label. */
export function recordKeyLoad(outcome: 'loaded' | 'failed', seconds: number): void {
  const m = instruments();
  m.loads.add(1, { outcome });
  m.duration.record(seconds, { outcome });
}
