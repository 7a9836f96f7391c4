import { describe, expect, it } from 'vitest';
import { analyzeDrill, type DrillObservations, type JournalEvent, type MessageRow } from '../src/analysis.js';
import type { SendRecord } from '../src/idempotent-sender.js';
import { WebhookTally } from '../src/webhook-tally.js';

const T0 = 1_000_000; // the fault

function send(index: number, firstSentAt: number, accepted = true): SendRecord {
  return {
    index,
    key: `k${index}`,
    bodyDigest: `d${index}`,
    firstSentAt,
    acceptedAt: accepted ? firstSentAt + 10 : null,
    attempts: 1,
  };
}

function row(
  index: number,
  doneAt: number | null,
  submittedAt: number | null = doneAt && doneAt - 50,
): MessageRow {
  return {
    id: `m${index}`,
    key: `k${index}`,
    status: doneAt === null ? 'queued' : 'delivered',
    submittedAt,
    doneAt,
  };
}

const submit = (index: number, t: number, id = `c${index}-${t}`): JournalEvent => ({
  e: 'submit',
  id,
  body: `d${index}`,
  t,
});

/** Every final row's final-status webhook, once each (what a passing drill receives). */
function allWebhooks(rows: MessageRow[]): WebhookTally {
  const tally = new WebhookTally();
  for (const r of rows)
    tally.record({ id: `e-${r.id}-${r.status}`, type: 'message.status', messageId: r.id, status: r.status });
  return tally;
}

function observe(over: Partial<DrillObservations>): DrillObservations {
  return {
    webhooks: allWebhooks(over.rows ?? []),
    fault: 'worker',
    messages: 0,
    rate: 100,
    faultAt: T0,
    restoredAt: T0 + 1_500,
    sends: [],
    clientErrors: {},
    rows: [],
    receiptRows: new Map(),
    journal: [],
    ...over,
  };
}

describe('analyzeDrill', () => {
  it('passes a drill where every message was final within 2 s of its first send', () => {
    const sends = [send(0, T0 - 500), send(1, T0 + 100)];
    const result = analyzeDrill(
      observe({
        sends,
        rows: [row(0, T0 - 300), row(1, T0 + 400)],
        journal: [submit(0, T0 - 400), submit(1, T0 + 300)],
      }),
    );
    expect(result).toMatchObject({
      accepted: 2,
      lost: 0,
      stuck: 0,
      carrierDuplicates: 0,
      inFlightAtFault: 0,
      recoverySeconds: 0,
      firstDeliverySeconds: 0.4,
      restartSeconds: 1.5,
      missed: [],
    });
  });

  it('counts an accepted message with no row as lost and a non-final row as stuck; no recovery', () => {
    const sends = [send(0, T0 - 500), send(1, T0 + 100), send(2, T0 + 200)];
    const result = analyzeDrill(observe({ sends, rows: [row(0, T0 - 300), row(2, null)] }));
    expect(result).toMatchObject({ lost: 1, stuck: 1, recoverySeconds: null });
    expect(result.missed).toEqual(['lost', 'stuck', 'recovery']);
  });

  it('measures recovery to the last message final more than 2 s after its first send', () => {
    // Message 0 was held by the fault until T0 + 61 s (a stalled job); message 1 flowed.
    const sends = [send(0, T0 - 200), send(1, T0 + 1_000)];
    const result = analyzeDrill(observe({ sends, rows: [row(0, T0 + 61_000), row(1, T0 + 1_300)] }));
    expect(result.recoverySeconds).toBe(61);
    expect(result.firstDeliverySeconds).toBe(1.3);
    expect(result.missed).toEqual(['recovery']);
  });

  it('counts messages accepted on a retry that found them already stored (200)', () => {
    const sends = [send(0, T0 - 500), { ...send(1, T0 - 400), acceptedStatus: 200 as const }];
    const result = analyzeDrill(observe({ sends, rows: [row(0, T0 - 300), row(1, T0 - 200)] }));
    expect(result.acceptedOnRetry).toBe(1);
  });

  it('does not call a drill recovered while a send was never accepted', () => {
    const result = analyzeDrill(observe({ sends: [send(0, T0 + 10, false)], rows: [] }));
    expect(result).toMatchObject({ notAccepted: 1, lost: 0, recoverySeconds: null });
  });

  it('counts carrier duplicates against the submits in flight at the fault', () => {
    // 0: submitted and recorded before the fault. 1: reached the carrier before the fault,
    // recorded after it, submitted again. 2: submitted twice although recorded before the fault.
    const sends = [send(0, T0 - 900), send(1, T0 - 800), send(2, T0 - 700)];
    const rows = [row(0, T0 - 100, T0 - 600), row(1, T0 + 900, T0 + 800), row(2, T0 + 900, T0 - 500)];
    const journal = [
      submit(0, T0 - 650),
      submit(1, T0 - 100),
      submit(1, T0 + 700),
      submit(2, T0 - 550),
      submit(2, T0 + 700),
    ];
    const result = analyzeDrill(observe({ sends, rows, journal }));
    expect(result).toMatchObject({ carrierDuplicates: 2, inFlightAtFault: 1 });
    expect(result.missed).toEqual(['duplicates']);
  });

  it('counts submits the dying process wrote before its end as in flight, up to faultEffectiveAt', () => {
    // The worker was told to die at T0 and seen dead at T0 + 30 ms; its last submit reached
    // the carrier at T0 + 5 ms and was sent again by the restarted worker.
    const sends = [send(0, T0 - 300)];
    const rows = [row(0, T0 + 70_000, T0 + 65_000)];
    const journal = [submit(0, T0 + 5), submit(0, T0 + 65_000)];
    expect(analyzeDrill(observe({ sends, rows, journal })).inFlightAtFault).toBe(0);
    const result = analyzeDrill(observe({ sends, rows, journal, faultEffectiveAt: T0 + 30 }));
    expect(result).toMatchObject({ carrierDuplicates: 1, inFlightAtFault: 1 });
    expect(result.missed).not.toContain('duplicates');
  });

  it('counts receipts acknowledged to the carrier but never stored, and duplicate receipt rows', () => {
    const journal: JournalEvent[] = [
      { e: 'receipt-ack', id: 'AA01', t: T0 },
      { e: 'receipt-ack', id: 'bb02', t: T0 },
      { e: 'receipt-ack', id: 'cc03', t: T0 },
    ];
    const receiptRows = new Map([
      ['aa01', 1],
      ['cc03', 2],
    ]);
    const result = analyzeDrill(observe({ journal, receiptRows }));
    expect(result).toMatchObject({ receiptsLost: 1, receiptsDuplicated: 1 });
    expect(result.missed).toContain('receipts');
  });

  it('counts final messages whose final-status webhook never arrived as lost, and repeated event ids', () => {
    const sends = [send(0, T0 - 500), send(1, T0 - 400), send(2, T0 - 300)];
    const rows = [row(0, T0 - 300), row(1, T0 - 200), row(2, T0 - 100)];
    const webhooks = new WebhookTally();
    const status = (i: number, s: string, id = `e${i}-${s}`) =>
      webhooks.record({ id, type: 'message.status', messageId: `m${i}`, status: s });
    status(0, 'submitted');
    status(0, 'delivered');
    status(0, 'delivered'); // at least once: the same event again
    status(1, 'submitted'); // its delivered never came
    status(2, 'delivered');
    const result = analyzeDrill(observe({ sends, rows, webhooks }));
    expect(result).toMatchObject({ webhooksLost: 1, webhookDuplicates: 1, webhookRequestsRefused: 0 });
    expect(analyzeDrill(observe({ webhookRequestsRefused: 12 })).webhookRequestsRefused).toBe(12);
    expect(result.missed).toEqual(['webhooks']);
  });

  it('counts status webhooks the fault caught on their way: committed before it, arrived after it', () => {
    const sends = [send(0, T0 - 900), send(1, T0 - 800), send(2, T0 - 700)];
    const rows = [row(0, T0 - 500), row(1, T0 - 100), row(2, T0 + 300)]; // submitted 50 ms before final
    const webhooks = new WebhookTally();
    const event = (i: number, status: string, at: number) =>
      webhooks.record({ id: `e${i}-${status}`, type: 'message.status', messageId: `m${i}`, status }, at);
    event(0, 'delivered', T0 - 400); // arrived before the fault
    event(1, 'delivered', T0 + 2_000); // final before the fault, its webhook after it
    event(2, 'submitted', T0 + 1_000); // submitted at T0 + 250
    event(2, 'delivered', T0 + 2_000); // final after the fault
    expect(analyzeDrill(observe({ sends, rows, webhooks, faultEffectiveAt: T0 + 50 }))).toMatchObject({
      webhooksPendingAtFault: 1,
      webhookEvents: 4,
      webhooksLost: 0,
      missed: [],
    });
    // Effective at T0 + 500: message 2's submitted (T0 + 250) and delivered (T0 + 300) were caught too.
    const later = analyzeDrill(observe({ sends, rows, webhooks, faultEffectiveAt: T0 + 500 }));
    expect(later.webhooksPendingAtFault).toBe(3);
  });

  it('does not count a webhook of a message still open as lost (it is stuck)', () => {
    const result = analyzeDrill(
      observe({ sends: [send(0, T0)], rows: [row(0, null)], webhooks: new WebhookTally() }),
    );
    expect(result).toMatchObject({ stuck: 1, webhooksLost: 0, webhookDuplicates: 0 });
  });
});
