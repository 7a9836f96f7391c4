import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CarrierEventQueue, createRedisConnection } from '@maskline/queues';
import { MessageRepository, ReceiptRepository } from '@maskline/storage';
import {
  AppProcess,
  createTestDatabase,
  seedTenant,
  type TestDatabase,
  testMessage,
  uniqueQueuePrefix,
} from '@maskline/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const run = promisify(execFile);
const RECEIPTS_CLI = fileURLToPath(
  new URL('../../../packages/storage/dist/cli/receipts.js', import.meta.url),
);
const RECIPIENT = '+447911123456';

/**
 * The real receipt-processor process, configured with short windows: an orphaned receipt
 * is parked and counted, a message whose receipt never comes ends `expired`, and the
 * `npm run receipts -- unmatched` command lists what was parked.
 */
describe('the receipt processor process parks orphans and ends silent messages', () => {
  let db: TestDatabase;
  let producer: Redis;
  let events: CarrierEventQueue;
  let app: AppProcess;
  let messages: MessageRepository;
  let receipts: ReceiptRepository;
  let tenantId: string;

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    ({ tenantId } = await seedTenant(db.pool));
    const prefix = uniqueQueuePrefix();
    producer = createRedisConnection(inject('redisUrl'), 'producer');
    events = new CarrierEventQueue({ connection: producer, prefix });
    messages = new MessageRepository(db.pool, db.vault);
    receipts = new ReceiptRepository(db.pool);
    app = new AppProcess('receipt-processor', {
      DATABASE_URL: db.appUrl,
      REDIS_URL: inject('redisUrl'),
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'debug',
      ...db.vaultEnv,
      SWEEP_INTERVAL_MS: '200',
      SWEEP_AFTER_MS: '500',
      RECEIPT_UNMATCHED_AFTER_MS: '1500',
      MESSAGE_VALIDITY_MS: '4000',
      RECEIPT_GRACE_MS: '500',
    });
    await app.start(/receipt processor running/);
  });
  afterAll(async () => {
    await app?.stop();
    await events.close();
    producer.disconnect();
    await db.drop();
  });

  async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
    const deadline = Date.now() + ms;
    let value = await read();
    while (!ok(value) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      value = await read();
    }
    return value;
  }

  async function submitted(carrierMessageId: string): Promise<string> {
    const { id } = (await messages.insertAccepted(testMessage(tenantId, { to: RECIPIENT }))).message;
    await messages.markSubmitted(id, carrierMessageId, 1, null);
    return id;
  }

  it('parks the orphan, expires the silent message, keeps the delivered one, and lists and replays the parked receipt', async () => {
    const silent = await submitted('silent-01');
    const answered = await submitted('answered-02');
    const orphan = await receipts.insert('sim', {
      type: 'receipt',
      carrierMessageId: 'never-issued-03',
      outcome: 'delivered',
      carrierStatus: 'DELIVRD',
    });
    const good = await receipts.insert('sim', {
      type: 'receipt',
      carrierMessageId: 'answered-02',
      outcome: 'delivered',
      carrierStatus: 'DELIVRD',
    });
    await events.publishReceipts([
      { carrierId: 'sim', receiptId: orphan },
      { carrierId: 'sim', receiptId: good },
    ]);

    const parked = await until(
      async () =>
        (await db.pool.query('SELECT unmatched_at, processed_at FROM receipts WHERE id = $1', [orphan]))
          .rows[0],
      (row) => row.unmatched_at !== null,
    );
    expect(parked.processed_at).not.toBeNull();
    const ended = await until(
      () => messages.findForTenant(tenantId, silent),
      (m) => m?.status === 'expired',
    );
    expect(ended).toMatchObject({ status: 'expired', errorCode: 'receipt_timeout' });
    expect(await messages.findForTenant(tenantId, answered)).toMatchObject({
      status: 'delivered',
      errorCode: null,
    });

    // The sweep logs after its last step (the re-enqueue check), a moment after the commit.
    const sweepLines = async () =>
      app.lines.filter((l) => l.includes('"msg":"sweep"')).map((l) => JSON.parse(l));
    const sweeps = await until(sweepLines, (lines) => lines.some((s) => s.expiredWithoutReceipt === 1));
    expect(sweeps.some((s) => s.parkedUnmatched === 1)).toBe(true);
    expect(sweeps.some((s) => s.expiredWithoutReceipt === 1)).toBe(true);
    expect(app.lines.join('\n')).not.toContain(RECIPIENT.slice(1));

    const cli = await run(process.execPath, [RECEIPTS_CLI, 'unmatched'], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: db.appUrl },
    });
    const [summary, ...rows] = cli.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(summary).toMatchObject({ msg: 'unmatched receipts', total: 1 });
    expect(rows).toEqual([expect.objectContaining({ id: orphan, carrierMessageId: 'never-issued-03' })]);

    // Its carrier id shows up late: the operator replays it.
    const late = await submitted('never-issued-03');
    const replay = await run(process.execPath, [RECEIPTS_CLI, 'replay', orphan], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: db.appUrl },
    });
    expect(JSON.parse(replay.stdout)).toMatchObject({
      outcome: 'applied',
      messageId: late,
      status: 'delivered',
    });
  });
});
