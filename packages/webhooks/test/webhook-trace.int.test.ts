import { MaskingEventStore } from '@maskline/masking';
import { MessageRepository } from '@maskline/storage';
import { SPAN, startTelemetry, type Telemetry } from '@maskline/telemetry';
import {
  createTestDatabase,
  seedTenant,
  type TestDatabase,
  TestReceiver,
  testMessage,
} from '@maskline/testing';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DeliveryBatch } from '../src/dispatch/delivery-batch.js';
import { EndpointService } from '../src/endpoints/endpoint-service.js';
import { DeliveryStore } from '../src/store/delivery-store.js';
import { EndpointStore } from '../src/store/endpoint-store.js';
import { targetPolicy } from '../src/target-guard.js';

const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
const MESSAGE_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const MESSAGE_SPAN = '00f067aa0ba902b7';
const TO = '+447911555019';
const BODY = 'your code is 482913';
const TRACEPARENT = /^00-([\da-f]{32})-([\da-f]{16})-01$/;

/**
 * The webhook POST is a CLIENT span recorded by an in-memory exporter: a child of the
 * message's trace for a message event (a root for a session event), carrying ids only, and
 * the receiver sees its W3C traceparent.
 */
describe('webhook POST spans', () => {
  const exporter = new InMemorySpanExporter();
  let telemetry: Telemetry;
  let db: TestDatabase;
  let receiver: TestReceiver;
  let tenantId: string;
  let secret: string;
  let endpointId: string;
  let messageId: string;
  let spans: ReadableSpan[];

  beforeAll(async () => {
    telemetry = await startTelemetry({ serviceName: 'webhooks-trace-test', exporter });
    db = await createTestDatabase(inject('postgresUrl'));
    ({ tenantId } = await seedTenant(db.pool, 'traced tenant'));
    receiver = await new TestReceiver().start();
    const policy = targetPolicy({ allowLoopback: true, allowedPorts: [receiver.port] });
    const endpointStore = new EndpointStore(db.pool);
    const created = await new EndpointService(endpointStore, db.vault, policy).create(tenantId, {
      url: `${receiver.url}/path-secret-1?token=query-secret-1`,
      eventTypes: ['message.*', 'session.*'],
    });
    secret = created.secret;
    endpointId = created.endpoint.id;

    const message = testMessage(tenantId, {
      to: TO,
      body: BODY,
      traceContext: `00-${MESSAGE_TRACE}-${MESSAGE_SPAN}-01`,
    });
    await new MessageRepository(db.pool, db.vault).insertAccepted(message);
    messageId = message.id;
    await db.pool.query(`SELECT webhook_emit($1, 'message.status', $2, $3, NULL)`, [
      tenantId,
      messageId,
      { messageId, status: 'delivered' },
    ]);
    await new MaskingEventStore(db.pool).recordEvent(null, tenantId, null, 'session.rotated', {});

    const deliveries = new DeliveryStore(db.pool);
    const batch = new DeliveryBatch(
      deliveries,
      endpointStore,
      db.vault,
      {
        policy,
        retry: { baseMs: 1_000, capMs: 5_000, retryForMs: 60_000 },
        disableAfterMs: 3_600_000,
      },
      silent,
    );
    const results = await batch.send(await deliveries.claimDue(10, 60_000));
    expect(results.map((r) => r.outcome)).toEqual(['delivered', 'delivered']);
    await receiver.waitFor(2);
    // The SDK exports once the resource's attributes are settled: a moment after the span ends.
    const until = Date.now() + 10_000;
    for (;;) {
      spans = exporter.getFinishedSpans().filter((s) => s.name === SPAN.webhookPost);
      if (spans.length >= 2 || Date.now() > until) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  afterAll(async () => {
    await receiver?.stop();
    await db?.drop();
    await telemetry?.shutdown();
  });

  const spanOf = (type: string) => {
    const span = spans.find((s) => s.attributes['maskline.webhook.event.type'] === type);
    if (!span) throw new Error(`no ${SPAN.webhookPost} span for ${type}`);
    return span;
  };
  const hitOf = (type: string) => {
    const hit = receiver.received.find((r) => JSON.parse(r.rawBody).type === type);
    if (!hit) throw new Error(`no POST of ${type}`);
    return hit;
  };

  it('makes the POST of a message event a CLIENT child of the message’s trace, with ids only', () => {
    expect(spans).toHaveLength(2);
    const span = spanOf('message.status');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.spanContext().traceId).toBe(MESSAGE_TRACE);
    expect(span.parentSpanContext?.spanId).toBe(MESSAGE_SPAN);
    const eventId = JSON.parse(hitOf('message.status').rawBody).id;
    expect(span.attributes).toEqual({
      'http.request.method': 'POST',
      'url.full': new URL(receiver.url).origin,
      'server.address': '127.0.0.1',
      'http.response.status_code': 200,
      'maskline.webhook.event.type': 'message.status',
      'maskline.webhook.event.id': eventId,
      'maskline.webhook.endpoint.id': endpointId,
      'maskline.webhook.attempt': 1,
      'maskline.tenant.id': tenantId,
    });
  });

  it('puts no number, body, secret or query into any span', () => {
    const dump = JSON.stringify(
      exporter.getFinishedSpans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events })),
    );
    for (const forbidden of [TO, TO.slice(1), BODY, '482913', secret, 'query-secret-1', 'path-secret-1']) {
      expect(dump).not.toContain(forbidden);
    }
  });

  it('sends the receiver a traceparent in the message’s trace', () => {
    const header = TRACEPARENT.exec(String(hitOf('message.status').headers.traceparent));
    expect(header?.[1]).toBe(MESSAGE_TRACE);
    expect(header?.[2]).not.toBe(MESSAGE_SPAN);
  });

  it('starts a trace of its own for an event that concerns no message', () => {
    const span = spanOf('session.rotated');
    expect(span.parentSpanContext).toBeUndefined();
    expect(span.spanContext().traceId).not.toBe(MESSAGE_TRACE);
    const header = TRACEPARENT.exec(String(hitOf('session.rotated').headers.traceparent));
    expect(header?.[1]).toBe(span.spanContext().traceId);
  });
});
