import { MessageRepository } from '@maskline/storage';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { seedTenant, testMessage } from '../src/seed.js';
import { createTestDatabase, type TestDatabase } from '../src/test-database.js';

/** A message sent in three parts: its status comes from its parts' receipts. */
describe('multipart messages and their receipts', () => {
  let db: TestDatabase;
  let messages: MessageRepository;
  let tenantId: string;

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    messages = new MessageRepository(db.pool, db.vault);
    ({ tenantId } = await seedTenant(db.pool));
  });
  afterAll(async () => {
    await db.drop();
  });

  async function submittedInParts(prefix: string): Promise<string> {
    const m = testMessage(tenantId, { segments: 3 });
    await messages.insertAccepted(m);
    const partIds = [`${prefix}-0`, `${prefix}-1`, `${prefix}-2`];
    expect(
      await messages.markManySubmitted([
        { id: m.id, carrierMessageId: partIds[0]!, segments: 3, traceContext: null, partIds },
      ]),
    ).toEqual([true]);
    return m.id;
  }

  const receipt = (id: string, status: 'delivered' | 'undeliverable' = 'delivered') => ({
    carrierId: 'sim',
    carrierMessageId: id,
    status,
    errorCode: status === 'delivered' ? null : 'delivery_failed',
  });

  it('stays submitted while parts are pending, then is delivered when all parts are', async () => {
    const id = await submittedInParts('all');
    const [first, second] = await messages.applyReceipts([receipt('all-0'), receipt('all-1')]);
    expect(first).toMatchObject({ messageId: id, applied: false, status: 'submitted' });
    expect(second).toMatchObject({ messageId: id, applied: false, status: 'submitted' });
    const [last] = await messages.applyReceipts([receipt('all-2')]);
    expect(last).toMatchObject({ messageId: id, applied: true, status: 'delivered' });
    const parts = await db.pool.query(
      'SELECT part_index, status FROM message_parts WHERE message_id = $1 ORDER BY 1',
      [id],
    );
    expect(parts.rows.map((r) => r.status)).toEqual(['delivered', 'delivered', 'delivered']);
  });

  it('is delivered by the last part alone (carriers that report the last part only)', async () => {
    const id = await submittedInParts('last');
    const [only] = await messages.applyReceipts([receipt('last-2')]);
    expect(only).toMatchObject({ messageId: id, applied: true, status: 'delivered' });
  });

  it('fails at a failed part, and a later delivered part does not undo it', async () => {
    const id = await submittedInParts('fail');
    const [failed] = await messages.applyReceipts([receipt('fail-1', 'undeliverable')]);
    expect(failed).toMatchObject({ messageId: id, applied: true, status: 'undeliverable' });
    const [late] = await messages.applyReceipts([receipt('fail-2')]);
    expect(late).toMatchObject({ messageId: id, applied: false, status: 'undeliverable' });
    expect(await messages.findForTenant(tenantId, id)).toMatchObject({
      status: 'undeliverable',
      errorCode: 'delivery_failed',
    });
  });

  it('handles parts of several messages and single-part messages in one batch', async () => {
    const a = await submittedInParts('mix-a');
    const single = testMessage(tenantId);
    await messages.insertAccepted(single);
    await messages.markSubmitted(single.id, 'single-1', 1, null);
    const results = await messages.applyReceipts([
      receipt('mix-a-0'),
      receipt('single-1'),
      receipt('mix-a-2'),
    ]);
    expect(results.map((r) => r && [r.messageId, r.status])).toEqual([
      [a, 'submitted'],
      [single.id, 'delivered'],
      [a, 'delivered'],
    ]);
    expect(
      await db.pool.query('SELECT 1 FROM message_parts WHERE message_id = $1', [single.id]),
    ).toMatchObject({
      rowCount: 0,
    });
  });

  it('writes parts with the submitted update, so a part receipt never meets a message without its parts', async () => {
    const m = testMessage(tenantId);
    await messages.insertAccepted(m);
    await messages.markSubmitted(m.id, 'first', 1, null);
    // A second submitted update (a repeated job) does not move the message, so it adds no parts.
    await messages.markManySubmitted([
      { id: m.id, carrierMessageId: 'x-0', segments: 2, traceContext: null, partIds: ['x-0', 'x-1'] },
    ]);
    expect(await messages.applyReceipts([receipt('x-1')])).toEqual([null]);
  });
});
