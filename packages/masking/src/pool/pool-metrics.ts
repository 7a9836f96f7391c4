import { metrics } from '@opentelemetry/api';
import type { PoolStat } from '../store/masking-rows.js';

/**
 * The virtual number pool as a gauge, `maskline.pool.numbers{country, carrier, state}`,
 * summed over tenants: one grouped count in PostgreSQL per scrape, none per session. A
 * scrape while PostgreSQL is away reports nothing. Returns the unregister function.
 */
export function observePool(numbers: { statsAll(): Promise<PoolStat[]> }): () => void {
  const meter = metrics.getMeter('maskline.masking');
  const gauge = meter.createObservableGauge('maskline.pool.numbers', {
    description:
      'Virtual numbers by country (ISO code), carrier and state (available includes cooled-off quarantine)',
    unit: '{number}',
  });
  const callback = async (result: { observe(value: number, attributes: Record<string, string>): void }) => {
    let stats: PoolStat[];
    try {
      stats = await numbers.statsAll();
    } catch {
      return; // PostgreSQL away: nothing this scrape; the apps' health says why.
    }
    for (const s of stats)
      result.observe(s.count, { country: s.country, carrier: s.carrier, state: s.state });
  };
  gauge.addCallback(callback);
  return () => gauge.removeCallback(callback);
}
