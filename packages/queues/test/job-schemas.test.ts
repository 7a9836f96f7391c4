import { uuidv7 } from '@maskline/core';
import {
  deliverBatchJobSchema,
  deliverJobSchema,
  inboundJobSchema,
  MAX_DELIVER_BATCH,
  MAX_RECEIPTS_PER_JOB,
  receiptBatchJobSchema,
  receiptJobSchema,
  traceCarrierSchema,
} from '@maskline/queues';
import { describe, expect, it } from 'vitest';

const messageId = uuidv7();
const tenantId = uuidv7();
const receiptId = uuidv7();
const inboundId = uuidv7();
const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

const PRIVATE_FIELDS = {
  to: '+8613812345678',
  from: '+447911123456',
  body: 'Your code is 482913',
  phone: '+4915123456789',
  text: 'hello',
  code: '482913',
} as const;

const NOT_UUIDS: unknown[] = [
  '',
  'msg-1',
  '12345',
  '01a21146e3d67840b0f7e9fd43180216',
  '01a21146-e3d6-7840-b0f7-e9fd4318021',
  '01a21146-e3d6-7840-b0f7-e9fd4318021z',
  42,
  null,
  undefined,
];

describe('deliverJobSchema', () => {
  it('accepts ids, with or without a trace carrier', () => {
    expect(deliverJobSchema.parse({ messageId, tenantId })).toEqual({ messageId, tenantId });
    const withTrace = { messageId, tenantId, trace: { traceparent, tracestate: 'vendor=1' } };
    expect(deliverJobSchema.parse(withTrace)).toEqual(withTrace);
  });

  it('accepts uuids of other versions too (v4)', () => {
    expect(deliverJobSchema.safeParse({ messageId: crypto.randomUUID(), tenantId }).success).toBe(true);
  });

  it.each(Object.entries(PRIVATE_FIELDS))('rejects an extra %s field', (field, value) => {
    const result = deliverJobSchema.safeParse({ messageId, tenantId, [field]: value });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.code).toBe('unrecognized_keys');
  });

  it('rejects private data smuggled into the trace carrier', () => {
    expect(
      deliverJobSchema.safeParse({ messageId, tenantId, trace: { traceparent, to: '+8613812345678' } })
        .success,
    ).toBe(false);
    expect(
      deliverJobSchema.safeParse({ messageId, tenantId, trace: { traceparent: 'x'.repeat(65) } }).success,
    ).toBe(false);
  });

  it.each(NOT_UUIDS)('rejects messageId %j', (value) => {
    expect(deliverJobSchema.safeParse({ messageId: value, tenantId }).success).toBe(false);
  });

  it.each(NOT_UUIDS)('rejects tenantId %j', (value) => {
    expect(deliverJobSchema.safeParse({ messageId, tenantId: value }).success).toBe(false);
  });

  it('rejects a payload without ids or that is not an object', () => {
    expect(deliverJobSchema.safeParse({ messageId }).success).toBe(false);
    expect(deliverJobSchema.safeParse({}).success).toBe(false);
    expect(deliverJobSchema.safeParse(null).success).toBe(false);
    expect(deliverJobSchema.safeParse(messageId).success).toBe(false);
  });
});

describe('receiptJobSchema', () => {
  it('accepts a carrier id and a receipt id', () => {
    expect(receiptJobSchema.parse({ carrierId: 'sim', receiptId })).toEqual({ carrierId: 'sim', receiptId });
  });

  it.each(Object.entries(PRIVATE_FIELDS))('rejects an extra %s field', (field, value) => {
    expect(receiptJobSchema.safeParse({ carrierId: 'sim', receiptId, [field]: value }).success).toBe(false);
  });

  it.each(NOT_UUIDS)('rejects receiptId %j', (value) => {
    expect(receiptJobSchema.safeParse({ carrierId: 'sim', receiptId: value }).success).toBe(false);
  });

  it('bounds the carrier id to 1..64 characters', () => {
    expect(receiptJobSchema.safeParse({ carrierId: '', receiptId }).success).toBe(false);
    expect(receiptJobSchema.safeParse({ carrierId: 'c'.repeat(64), receiptId }).success).toBe(true);
    expect(receiptJobSchema.safeParse({ carrierId: 'c'.repeat(65), receiptId }).success).toBe(false);
  });
});

describe('receiptBatchJobSchema', () => {
  const receiptIds = [receiptId, uuidv7()];

  it('accepts a carrier id and receipt ids', () => {
    expect(receiptBatchJobSchema.parse({ carrierId: 'sim', receiptIds })).toEqual({
      carrierId: 'sim',
      receiptIds,
    });
  });

  it.each(Object.entries(PRIVATE_FIELDS))('rejects an extra %s field', (field, value) => {
    expect(receiptBatchJobSchema.safeParse({ carrierId: 'sim', receiptIds, [field]: value }).success).toBe(
      false,
    );
  });

  it.each(NOT_UUIDS)('rejects a receipt id %j among the ids', (value) => {
    expect(
      receiptBatchJobSchema.safeParse({ carrierId: 'sim', receiptIds: [receiptId, value] }).success,
    ).toBe(false);
  });

  it('holds 1..MAX_RECEIPTS_PER_JOB ids', () => {
    const ids = (n: number) => Array.from({ length: n }, () => uuidv7());
    expect(receiptBatchJobSchema.safeParse({ carrierId: 'sim', receiptIds: [] }).success).toBe(false);
    expect(
      receiptBatchJobSchema.safeParse({ carrierId: 'sim', receiptIds: ids(MAX_RECEIPTS_PER_JOB) }).success,
    ).toBe(true);
    expect(
      receiptBatchJobSchema.safeParse({ carrierId: 'sim', receiptIds: ids(MAX_RECEIPTS_PER_JOB + 1) })
        .success,
    ).toBe(false);
  });

  it('is not a single-receipt payload (or the reverse)', () => {
    expect(receiptBatchJobSchema.safeParse({ carrierId: 'sim', receiptId }).success).toBe(false);
    expect(receiptJobSchema.safeParse({ carrierId: 'sim', receiptIds }).success).toBe(false);
  });
});

describe('inboundJobSchema', () => {
  it('accepts a carrier id and an inbound id', () => {
    expect(inboundJobSchema.parse({ carrierId: 'sim', inboundId })).toEqual({ carrierId: 'sim', inboundId });
  });

  it.each(Object.entries(PRIVATE_FIELDS))('rejects an extra %s field', (field, value) => {
    expect(inboundJobSchema.safeParse({ carrierId: 'sim', inboundId, [field]: value }).success).toBe(false);
  });

  it.each(NOT_UUIDS)('rejects inboundId %j', (value) => {
    expect(inboundJobSchema.safeParse({ carrierId: 'sim', inboundId: value }).success).toBe(false);
  });

  it('does not accept a receipt payload as inbound (or the reverse)', () => {
    expect(inboundJobSchema.safeParse({ carrierId: 'sim', receiptId }).success).toBe(false);
    expect(receiptJobSchema.safeParse({ carrierId: 'sim', inboundId }).success).toBe(false);
  });
});

describe('traceCarrierSchema', () => {
  it('accepts a W3C traceparent and an optional tracestate', () => {
    expect(traceCarrierSchema.parse({ traceparent })).toEqual({ traceparent });
    expect(traceCarrierSchema.safeParse({ traceparent, tracestate: 's'.repeat(512) }).success).toBe(true);
    expect(traceCarrierSchema.safeParse({ traceparent, tracestate: 's'.repeat(513) }).success).toBe(false);
  });

  it('is strict', () => {
    expect(traceCarrierSchema.safeParse({ traceparent, baggage: 'user=+8613812345678' }).success).toBe(false);
  });
});

describe('deliverBatchJobSchema', () => {
  it('accepts 1..MAX_DELIVER_BATCH message ids and nothing else', () => {
    const ids = [uuidv7(), uuidv7()];
    expect(deliverBatchJobSchema.parse({ messageIds: ids })).toEqual({ messageIds: ids });
    expect(deliverBatchJobSchema.safeParse({ messageIds: [] }).success).toBe(false);
    const tooMany = Array.from({ length: MAX_DELIVER_BATCH + 1 }, () => messageId);
    expect(deliverBatchJobSchema.safeParse({ messageIds: tooMany }).success).toBe(false);
    expect(deliverBatchJobSchema.safeParse({ messageIds: ids, tenantId }).success).toBe(false);
  });

  it.each(NOT_UUIDS)('rejects a non-uuid id %j', (value) => {
    expect(deliverBatchJobSchema.safeParse({ messageIds: [messageId, value] }).success).toBe(false);
  });

  it.each(Object.entries(PRIVATE_FIELDS))('rejects a stray %s field', (field, value) => {
    expect(deliverBatchJobSchema.safeParse({ messageIds: [messageId], [field]: value }).success).toBe(false);
    expect(deliverBatchJobSchema.safeParse({ messageIds: [value] }).success).toBe(false);
  });
});
