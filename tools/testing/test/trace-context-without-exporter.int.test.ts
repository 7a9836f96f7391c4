import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { OtlpCollector } from '../src/otlp-collector.js';
import { StackFixture } from '../src/stack-fixture.js';

const TRACEPARENT = /^00-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})$/;
const INCOMING_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const INCOMING_SPAN = '00f067aa0ba902b7';

function parts(traceparent: string | null | undefined): { traceId: string; spanId: string; flags: string } {
  const match = TRACEPARENT.exec(traceparent ?? '');
  if (!match) throw new Error(`not a W3C traceparent: ${traceparent}`);
  return { traceId: match[1]!, spanId: match[2]!, flags: match[3]! };
}

/**
 * No exporter in the ingest and the delivery worker (so no instrumentation is loaded in
 * them): every message still carries a W3C traceparent on its row (its batch job carries
 * ids only; the worker continues each message's trace from its row), and
 * the receipt processor — the only app given an exporter here — continues it, so its
 * receipt span lands in the trace the client's request started.
 */
describe('trace context flows without an exporter', () => {
  const collector = new OtlpCollector();
  let stack: StackFixture;
  const redis = new Redis(inject('redisUrl'));

  const traceContextOf = async (id: string) =>
    (
      await stack.db.pool.query<{ trace_context: string | null }>(
        'SELECT trace_context FROM messages WHERE id = $1',
        [id],
      )
    ).rows[0]?.trace_context;

  /** The data of the job that carries the message: its insert batch's job, named on the row. */
  const jobDataOf = async (id: string) => {
    const { rows } = await stack.db.pool.query<{ job: string }>(
      'SELECT delivery_job_id AS job FROM messages WHERE id = $1',
      [id],
    );
    const [, keys] = await redis.scan('0', 'MATCH', `*:deliver-sim:${rows[0]!.job}`, 'COUNT', 100_000);
    expect(keys).toHaveLength(1);
    return JSON.parse((await redis.hget(keys[0]!, 'data')) ?? '{}') as { messageIds?: string[] };
  };

  beforeAll(async () => {
    const otlp = await collector.start();
    stack = new StackFixture({
      redisUrl: inject('redisUrl'),
      postgresUrl: inject('postgresUrl'),
      logLevel: 'info',
      tracing: false,
      receiptEnv: { OTEL_EXPORTER_OTLP_ENDPOINT: otlp },
    });
    await stack.start();
    // Jobs stay in Redis to be read until the worker comes back.
    await stack.stopApp('delivery-worker');
  });
  afterAll(async () => {
    await stack?.stop();
    await collector.stop();
    redis.disconnect();
  });

  let continued = '';
  let fresh = '';

  it('continues the request’s traceparent header on the row; the job carries ids only', async () => {
    const response = await stack.send(
      { to: '+447911000101', from: 'Maskline', body: 'traced without an exporter' },
      { traceparent: `00-${INCOMING_TRACE}-${INCOMING_SPAN}-01` },
    );
    expect(response.status).toBe(202);
    continued = String(response.body.id);
    const row = parts(await traceContextOf(continued));
    expect(row).toMatchObject({ traceId: INCOMING_TRACE, flags: '01' });
    expect(row.spanId).not.toBe(INCOMING_SPAN); // a child of the caller's span, not a copy
    expect(row.spanId).not.toBe('0'.repeat(16));
    expect(await jobDataOf(continued)).toEqual({ messageIds: [continued] });
  });

  it('starts a fresh, valid, sampled trace for a request without one', async () => {
    const responses = await Promise.all(
      ['+447911000102', '+447911000103'].map((to) =>
        stack.send({ to, from: 'Maskline', body: 'no incoming trace' }, { traceparent: 'garbage' }),
      ),
    );
    const ids = responses.map((r) => String(r.body.id));
    fresh = ids[0]!;
    const rows = await Promise.all(ids.map(async (id) => parts(await traceContextOf(id))));
    for (const row of rows) {
      expect(row.flags).toBe('01');
      expect(row.traceId).not.toBe('0'.repeat(32));
      expect(row.traceId).not.toBe(INCOMING_TRACE);
    }
    expect(rows[0]!.traceId).not.toBe(rows[1]!.traceId);
    for (const id of ids) expect((await jobDataOf(id)).messageIds).toContain(id);
  });

  it('the worker continues the trace on the row, and so does the receipt processor', async () => {
    const accepted = new Map([continued, fresh].map((id) => [id, '']));
    for (const id of accepted.keys()) accepted.set(id, (await traceContextOf(id))!);
    await stack.startApp('delivery-worker');
    const statuses = await stack.waitForStatus([...accepted.keys()], ['delivered']);
    expect([...statuses.values()]).toEqual(['delivered', 'delivered']);

    for (const [id, atAccept] of accepted) {
      // The worker stores its deliver span's traceparent: same trace, a new span.
      const submitted = parts(await traceContextOf(id));
      expect(submitted.traceId).toBe(parts(atAccept).traceId);
      expect(submitted.spanId).not.toBe(parts(atAccept).spanId);

      const deadline = Date.now() + 15_000;
      let receipt = collector.spans.find((s) => s.attributes['maskline.message.id'] === id);
      while (!receipt && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        receipt = collector.spans.find((s) => s.attributes['maskline.message.id'] === id);
      }
      expect(receipt).toMatchObject({
        service: 'maskline-receipt-processor',
        name: 'maskline.receipt',
        traceId: submitted.traceId,
        parentSpanId: submitted.spanId,
      });
    }
    // Nothing else exported: the ingest and the worker have no exporter.
    expect(new Set(collector.spans.map((s) => s.service))).toEqual(new Set(['maskline-receipt-processor']));
  });
});
