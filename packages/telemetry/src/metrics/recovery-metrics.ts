import { lazyInstruments } from './lazy-instruments.js';

const instruments = lazyInstruments('maskline.recovery', (meter) => ({
  actions: meter.createCounter('maskline.recovery.actions', {
    description:
      'What the outbox reconciler and the carrier-event sweep did, by component, action and reason',
    unit: '{item}',
  }),
}));

/**
 * Counts what one reconciler or sweep pass did: each non-zero entry of `counts` (action
 * name -> items) as `{component, action, reason}`. Fixed names only.
 */
export function countRecoveryActions(
  component: 'outbox-reconciler' | 'carrier-event-sweep',
  counts: Readonly<Record<string, number>>,
  reason = 'periodic',
): void {
  const { actions } = instruments();
  for (const [action, count] of Object.entries(counts)) {
    if (count > 0) actions.add(count, { component, action, reason });
  }
}
