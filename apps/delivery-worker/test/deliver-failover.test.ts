import { type CarrierPlugin, MasklineError, type Message, silentLogger } from '@maskline/core';
import type { DeliveryRecord } from '@maskline/storage';
import { trace } from '@opentelemetry/api';
import type { Job } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { GuardedCarrier } from '../src/carriers/guarded-carrier.js';
import type { Failover } from '../src/delivery/carrier-failover.js';
import { DeliverProcessor } from '../src/delivery/deliver-processor.js';
import type { DeliveryStore } from '../src/delivery/delivery-store.js';

/** The failover decisions of the deliver processor, with a carrier that fails as told. */
function setup(error: MasklineError) {
  const message = {
    id: '0190a0b0-0000-7000-8000-000000000001',
    tenantId: '0190a0b0-0000-7000-8000-000000000002',
    carrierId: 'alpha',
    status: 'queued',
    kind: 'transactional',
  } as Message;
  const record = {
    message,
    content: { to: '+447400123456', from: 'Maskline', body: 'hello' },
    recipientToken: 'pn_x',
    traceContext: null,
  } as unknown as DeliveryRecord;
  const calls = { rerouted: 0, pinned: 0, final: [] as string[], submits: 0 };
  const store: DeliveryStore = {
    load: async () => record,
    markSubmitted: async () => true,
    markFinal: async (_id, _status, code) => {
      calls.final.push(code ?? '');
      return true;
    },
    recordCarrierAnswer: async () => true,
  };
  const plugin = {
    start: async () => {},
    submit: async () => {
      calls.submits++;
      throw error;
    },
    health: () => ({ status: 'up' }),
    close: async () => {},
  } as unknown as CarrierPlugin;
  const failover: Failover = {
    enabled: () => true,
    reroute: async () => {
      calls.rerouted++;
      return true;
    },
    pin: async () => {
      calls.pinned++;
    },
  };
  const processor = new DeliverProcessor(
    store,
    new GuardedCarrier('alpha', plugin, 1_000),
    trace.getTracer('test'),
    silentLogger,
    { failover },
  );
  // The message's own job on its last attempt: past the carrier's retry budget.
  const job = {
    data: { messageId: message.id, tenantId: message.tenantId },
    opts: { attempts: 3 },
    attemptsMade: 2,
  } as unknown as Job;
  return { processor, job, calls };
}

describe('failover at delivery', () => {
  it('moves a message past its retry budget with a temporary error to another carrier', async () => {
    for (const code of ['carrier_error', 'carrier_throttled', 'carrier_unavailable'] as const) {
      const { processor, job, calls } = setup(new MasklineError(code));
      expect(await processor.process(job)).toEqual(['rerouted']);
      expect(calls).toMatchObject({ rerouted: 1, pinned: 0, final: [] });
    }
  });

  it('never fails over after an ambiguous failure: pinned, and ends as before', async () => {
    const ambiguous = [
      new MasklineError('carrier_timeout'),
      new MasklineError('carrier_unavailable', { details: { inFlight: true } }),
    ];
    for (const error of ambiguous) {
      const { processor, job, calls } = setup(error);
      await expect(processor.process(job)).rejects.toThrow('retries_exhausted');
      expect(calls).toMatchObject({ rerouted: 0, pinned: 1, final: ['retries_exhausted'] });
    }
  });

  it('keeps a temporary failure with attempts left on the same carrier', async () => {
    const { processor, job, calls } = setup(new MasklineError('carrier_error'));
    (job as { attemptsMade: number }).attemptsMade = 0;
    await expect(processor.process(job)).rejects.toThrow();
    expect(calls).toMatchObject({ rerouted: 0, final: [] });
  });

  it('never moves a permanent rejection', async () => {
    const { processor, job, calls } = setup(new MasklineError('carrier_rejected'));
    await expect(processor.process(job)).rejects.toThrow('carrier_rejected');
    expect(calls).toMatchObject({ rerouted: 0, final: ['carrier_rejected'] });
  });
});
