#!/usr/bin/env node
import { createPgPool } from '../pg-pool.js';
import { ReceiptRepository } from '../repositories/receipt-repository.js';

/**
 * Receipts parked as unmatched (their carrier id named no message within
 * RECEIPT_UNMATCHED_AFTER_MS). Carrier ids and status words only: a receipt row holds no
 * number or body.
 *   `npm run receipts -- unmatched [--limit N]`: how many, and the newest N (default 20)
 *   as JSON lines.
 *   `npm run receipts -- replay <receipt id>`: applies one parked receipt now, if a message
 *   carries its carrier id by then (statuses still never move backwards).
 */
const USAGE = 'usage: receipts unmatched [--limit N] | receipts replay <receipt id>';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

const [command, ...args] = process.argv.slice(2);
const url = process.env.DATABASE_URL;
if (command !== 'unmatched' && command !== 'replay') fail(USAGE);
if (!url) fail('DATABASE_URL is not set');
const flag = args.indexOf('--limit');
const limit = command === 'unmatched' && flag >= 0 ? Number(args[flag + 1]) : 20;
if (!Number.isInteger(limit) || limit < 0 || limit > 10_000)
  fail('--limit must be an integer from 0 to 10000');
const receiptId = args[0] ?? '';
if (command === 'replay' && !UUID.test(receiptId)) fail(USAGE);

const pool = createPgPool({ connectionString: url, max: 1, applicationName: 'maskline-receipts' });
try {
  const receipts = new ReceiptRepository(pool);
  if (command === 'replay') {
    console.log(
      JSON.stringify({ msg: 'receipt replayed', receiptId, ...(await receipts.replayUnmatched(receiptId)) }),
    );
  } else {
    const { total, latest } = await receipts.unmatched(limit);
    console.log(JSON.stringify({ msg: 'unmatched receipts', total }));
    for (const receipt of latest) console.log(JSON.stringify(receipt));
  }
} catch (error) {
  console.error(`receipts: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await pool.end();
}
