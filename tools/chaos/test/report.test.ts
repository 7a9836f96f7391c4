import { describe, expect, it } from 'vitest';
import type { DrillResult } from '../src/analysis.js';
import { renderJson, renderTable } from '../src/report.js';

const result: DrillResult = {
  fault: 'webhook-receiver',
  messages: 300,
  rate: 100,
  accepted: 300,
  notAccepted: 0,
  acceptedOnRetry: 0,
  lost: 0,
  stuck: 0,
  carrierDuplicates: 0,
  inFlightAtFault: 3,
  receiptsLost: 0,
  receiptsDuplicated: 0,
  webhooksLost: 0,
  webhookDuplicates: 2,
  webhooksPendingAtFault: 5,
  webhookEvents: 600,
  webhookRequestsRefused: 40,
  clientErrors: {},
  restartSeconds: 4,
  firstDeliverySeconds: 0.2,
  recoverySeconds: 1.5,
  missed: [],
};

describe('renderTable', () => {
  it('shows webhooks lost / duplicated / pending at the fault, and the refused requests of an outage', () => {
    const [header, , line] = renderTable([result]).split('\n');
    expect(header).toContain('| webhooks lost / dup / pending at fault |');
    expect(line).toContain('| 0 / 2 / 5 (40 refused) |');
    const quiet = renderTable([
      { ...result, webhookRequestsRefused: 0, webhooksLost: 7, missed: ['webhooks'] },
    ]);
    expect(quiet.split('\n')[2]).toContain('| 7 / 2 / 5 |');
    expect(quiet).toContain('missed: webhooks');
  });

  it('puts the webhook figures in the JSON too', () => {
    expect(JSON.parse(renderJson([result])).runs[0]).toMatchObject({
      webhooksLost: 0,
      webhookRequestsRefused: 40,
    });
  });
});
