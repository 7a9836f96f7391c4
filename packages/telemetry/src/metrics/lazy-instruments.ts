import { type Meter, metrics } from '@opentelemetry/api';

/**
 * A package's instruments, created on first use from the global meter provider (a no-op
 * one when metrics are off, so recording costs next to nothing). Created lazily, not at
 * import, so a module loaded before the app started its metrics still records into them.
 * Domain code calls `instruments().accepted.add(1, { carrier })`: no DI, no meter to pass.
 */
export function lazyInstruments<T>(scope: string, create: (meter: Meter) => T): () => T {
  let made: { provider: unknown; instruments: T } | undefined;
  return () => {
    const provider = metrics.getMeterProvider();
    if (made?.provider !== provider) made = { provider, instruments: create(provider.getMeter(scope)) };
    return made.instruments;
  };
}

/** Seconds since an instant (a Date or epoch ms), never negative (clocks of two hosts). */
export function secondsSince(start: Date | number, now = Date.now()): number {
  const ms = typeof start === 'number' ? start : start.getTime();
  return Math.max(0, (now - ms) / 1000);
}
