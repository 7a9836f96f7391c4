import { lazyInstruments, secondsSince } from './lazy-instruments.js';

/**
 * The message flow's instruments, recorded by the app where each step happens (ingest:
 * accepted; delivery worker: submitted, failed, rejected; receipt processor: the final
 * status a receipt gives). Labels are the carrier id and the status only: never a number,
 * body, message id or tenant.
 */
export const messageInstruments = lazyInstruments('maskline.messages', (meter) => ({
  messages: meter.createCounter('maskline.messages', {
    description: 'Messages that reached a status, by carrier and status',
    unit: '{message}',
  }),
  submitDuration: meter.createHistogram('maskline.message.submit.duration', {
    description: 'From accepted to submitted (the carrier took it)',
    unit: 's',
  }),
  receiptDuration: meter.createHistogram('maskline.message.receipt.duration', {
    description: "From submitted to the final status of the carrier's receipt",
    unit: 's',
  }),
  finalDuration: meter.createHistogram('maskline.message.final.duration', {
    description: 'From accepted to a final status',
    unit: 's',
  }),
  carrierErrors: meter.createCounter('maskline.carrier.errors', {
    description: 'Failed submits, by carrier and Maskline error code',
    unit: '{error}',
  }),
}));

/** Counts messages that reached `status` on `carrier`. */
export function countMessages(carrier: string, status: string, count = 1): void {
  if (count > 0) messageInstruments().messages.add(count, { carrier, status });
}

/** A message the carrier took: counted, and its accepted -> submitted latency when known. */
export function recordSubmitted(
  carrier: string,
  acceptedAt: Date | null | undefined,
  now = Date.now(),
): void {
  const m = messageInstruments();
  m.messages.add(1, { carrier, status: 'submitted' });
  if (acceptedAt) m.submitDuration.record(secondsSince(acceptedAt, now), { carrier });
}

/** A message that reached a final status: counted, with its latencies when known. */
export function recordFinal(
  carrier: string,
  status: string,
  times: { acceptedAt?: Date | null; submittedAt?: Date | null } = {},
  now = Date.now(),
): void {
  const m = messageInstruments();
  m.messages.add(1, { carrier, status });
  if (times.acceptedAt) m.finalDuration.record(secondsSince(times.acceptedAt, now), { carrier, status });
  if (times.submittedAt) m.receiptDuration.record(secondsSince(times.submittedAt, now), { carrier, status });
}

/** A failed submit, by its Maskline error code (a fixed catalogue, never the carrier's text). */
export function countCarrierError(carrier: string, errorCode: string): void {
  messageInstruments().carrierErrors.add(1, { carrier, error_code: errorCode });
}
