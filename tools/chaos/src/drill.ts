/**
 * One drill: start the stack, send N messages at the offered rate with idempotent retries,
 * inject ONE fault when the given share of the sends has gone (and restart what it killed,
 * as a supervisor would), wait for every message to become final and its final-status
 * webhook to arrive (or the drain timeout), then read PostgreSQL, the carrier's journal and
 * the webhooks received, and stop everything.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { emptyCounters, openLoop } from '@maskline/loadgen/load';
import {
  analyzeDrill,
  type DrillResult,
  FINAL_STATUSES,
  type JournalEvent,
  type MessageRow,
} from './analysis.js';
import { ChaosStack } from './chaos-stack.js';
import { IdempotentSender } from './idempotent-sender.js';
import type { FaultName } from './options.js';
import { reapNow } from './reaper.js';
import { WebhookTally } from './webhook-tally.js';

export interface DrillOptions {
  fault: FaultName;
  messages: number;
  rate: number;
  /** 0..1: the fault goes in when this share of the sends has gone. */
  at: number;
  drainTimeoutMs: number;
  carrierLatencyMs: number;
  keep?: boolean;
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void;
}

/** What each fault does to the running stack; resolves once the killed part is back. */
const INJECT: Record<FaultName, (stack: ChaosStack) => Promise<void>> = {
  ingest: (stack) => stack.crashApp('ingest'),
  worker: (stack) => stack.crashApp('delivery-worker'),
  receipt: (stack) => stack.crashApp('receipt-processor'),
  'redis-flush': (stack) => stack.flushRedis(),
  'redis-kill': (stack) => stack.crashRedis(),
  pg: (stack) => stack.restartPostgres(),
  smsc: (stack) => stack.crashSim(),
  'webhook-receiver': (stack) => stack.failWebhookReceiver(),
};

/** Retries a read while PostgreSQL may be restarting. */
async function query<T>(read: () => Promise<T>, attempts = 60): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await read();
    } catch (error) {
      if (i >= attempts) throw error;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

export async function runDrill(options: DrillOptions): Promise<DrillResult> {
  const log = options.log ?? (() => {});
  const stack = new ChaosStack({ carrierLatencyMs: options.carrierLatencyMs, keep: options.keep, log });
  let sender: IdempotentSender | null = null;
  const webhooks = new WebhookTally();
  stack.webhooks.onEvent = (event, arrived) => webhooks.record(event, arrived);
  try {
    await stack.start();
    if (options.keep) log(`run dir: ${stack.dir}`);
    sender = new IdempotentSender({
      ingestUrl: stack.ingestUrl,
      apiKey: stack.apiKey,
      runId: randomBytes(4).toString('hex'),
    });
    const faultIndex = Math.min(options.messages - 1, Math.floor(options.messages * options.at));
    let faultAt = 0;
    let restoredAt = 0;
    // Never rejects: a failed injection or restart is rethrown after the sends, not left unhandled.
    let fault: Promise<unknown> = Promise.resolve(null);
    const active = sender;
    const send = (i: number) => {
      if (i === faultIndex) {
        faultAt = Date.now();
        log(`${options.fault}: fault injected at message ${i}`);
        fault = INJECT[options.fault](stack).then(
          () => {
            restoredAt = Date.now();
            log(`${options.fault}: restored after ${((restoredAt - faultAt) / 1000).toFixed(1)} s`);
            return null;
          },
          (error: unknown) => error ?? new Error('fault injection failed'),
        );
      }
      return active.send(i);
    };
    await openLoop(
      options.rate,
      options.messages / options.rate,
      Number.MAX_SAFE_INTEGER,
      send,
      emptyCounters(),
    );
    const faultError = await fault;
    if (faultError !== null) throw faultError;
    const drained = await drain(stack, webhooks, options.drainTimeoutMs);
    log(
      `${options.fault}: ${drained ? 'every message final, every final webhook in' : 'drain timeout reached'}`,
    );
    const rows = await query(() => readRows(stack));
    const receiptRows = await query(() => readReceiptRows(stack));
    return analyzeDrill({
      fault: options.fault,
      messages: options.messages,
      rate: options.rate,
      faultAt,
      faultEffectiveAt: stack.faultEffectiveAt ?? faultAt,
      restoredAt,
      sends: sender.records,
      clientErrors: sender.errors,
      rows,
      receiptRows,
      journal: readJournal(stack.journalFile),
      webhooks,
      webhookRequestsRefused: stack.webhooks.refused,
    });
  } finally {
    sender?.close();
    await stack.stop().catch((error: unknown) => {
      log(`stopping the stack failed (${String(error)}); killing what is left`);
      reapNow();
    });
  }
}

/** Polls until every message row is final and its final-status webhook has arrived, or the timeout. */
async function drain(stack: ChaosStack, webhooks: WebhookTally, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const rows = await stack.db.pool
      .query<{ id: string; status: string }>('SELECT id::text AS id, status FROM messages')
      .then((r) => r.rows)
      .catch(() => null);
    const done =
      rows?.every((r) => FINAL_STATUSES.includes(r.status) && webhooks.arrived(r.id, r.status)) === true;
    if (done) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

async function readRows(stack: ChaosStack): Promise<MessageRow[]> {
  const { rows } = await stack.db.pool.query<{
    id: string;
    key: string;
    status: string;
    submitted: string | null;
    done: string | null;
  }>(
    `SELECT id::text AS id, idempotency_key AS key, status,
            extract(epoch FROM submitted_at) * 1000 AS submitted,
            extract(epoch FROM done_at) * 1000 AS done
     FROM messages`,
  );
  const ms = (v: string | null) => (v === null ? null : Number(v));
  return rows.map((r) => ({
    id: r.id,
    key: r.key,
    status: r.status,
    submittedAt: ms(r.submitted),
    doneAt: ms(r.done),
  }));
}

async function readReceiptRows(stack: ChaosStack): Promise<Map<string, number>> {
  const { rows } = await stack.db.pool.query<{ id: string; n: string }>(
    'SELECT carrier_message_id AS id, count(*) AS n FROM receipts GROUP BY carrier_message_id',
  );
  return new Map(rows.map((r) => [r.id, Number(r.n)]));
}

function readJournal(file: string): JournalEvent[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as JournalEvent];
      } catch {
        return []; // a line cut short by the kill
      }
    });
}
