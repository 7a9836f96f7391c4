import { type CarrierPluginDefinition, type SubmitRequest, uuidv7 } from '@maskline/core';
import { testMessage } from '@maskline/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CarrierRuntime } from '../src/carriers/carrier-runtime.js';
import { testCarrierPlugin } from './support/scripted-plugin.js';
import { startTestHost, type TestHost } from './support/test-host.js';

/**
 * A carrier's TPS cap holds across every worker together: two runtimes (as two worker
 * processes would be) draining one carrier queue never exceed `tps` submits per second,
 * whether its jobs carry one message or a batch (the slots are per message, in Redis).
 */
const submitTimes: number[] = [];
const countingPlugin = testCarrierPlugin('counting', async (request: SubmitRequest) => {
  submitTimes.push(Date.now());
  return { carrierMessageId: `c-${request.messageId}`, partIds: [], segments: 1 };
});

describe('per-carrier TPS cap across workers', () => {
  const TPS = 20;
  let host: TestHost;
  const runtimes: CarrierRuntime[] = [];

  beforeAll(async () => {
    host = await startTestHost();
    for (let i = 0; i < 2; i++) {
      runtimes.push(
        CarrierRuntime.create(
          {
            id: 'capped',
            plugin: 'counting',
            tps: TPS,
            concurrency: 16,
            regions: [],
            secrets: {},
            config: {},
          },
          host.runtimeDeps({ counting: countingPlugin as CarrierPluginDefinition<unknown> }),
        ),
      );
    }
  });
  afterAll(async () => {
    for (const runtime of runtimes) await runtime.stop();
    await host.close();
  });

  /** The busiest one-second span of the submits so far. */
  function busiestSecond(): { busiest: number; spanMs: number } {
    const sorted = [...submitTimes].sort((a, b) => a - b);
    let busiest = 0;
    for (let i = 0; i < sorted.length; i++) {
      let j = i;
      while (j < sorted.length && sorted[j]! - sorted[i]! < 1_000) j++;
      busiest = Math.max(busiest, j - i);
    }
    return { busiest, spanMs: sorted[sorted.length - 1]! - sorted[0]! };
  }

  async function waitForSubmits(count: number): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (submitTimes.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }

  it.each(['one job per message', 'batch jobs'])(
    `never submits more than ${TPS} (+1 at an edge) in any one-second span: %s`,
    async (kind) => {
      submitTimes.length = 0;
      const ids = Array.from({ length: 60 }, () => uuidv7());
      await host.messages.insertManyAccepted(
        ids.map((id) => testMessage(host.tenantId, { id, carrierId: 'capped' })),
      );
      if (kind === 'batch jobs') {
        // As the ingest adds them: one job per insert batch, here three of 20.
        for (let i = 0; i < ids.length; i += 20)
          await host.queues.enqueueBatch('capped', uuidv7(), ids.slice(i, i + 20));
      } else {
        await host.queues.enqueue(
          ids.map((id) => ({ carrierId: 'capped', job: { messageId: id, tenantId: host.tenantId } })),
        );
      }
      await Promise.all(runtimes.map((r) => r.start()));
      await waitForSubmits(ids.length);
      expect(submitTimes).toHaveLength(60);
      const { busiest, spanMs } = busiestSecond();
      expect(busiest).toBeLessThanOrEqual(TPS + 1);
      // And the cap is not a crawl: 60 messages at 20/s take about 3 s.
      expect(spanMs).toBeLessThan(6_000);
      expect(busiest).toBeGreaterThanOrEqual(TPS - 2);
    },
  );
});
