#!/usr/bin/env node
import { createPgPool } from '../pg-pool.js';
import { ReceiptRepository } from '../repositories/receipt-repository.js';

/**
 * `npm run receipts -- unmatched [--limit N]`: how many receipts are parked as unmatched
 * (their carrier id named no message within RECEIPT_UNMATCHED_AFTER_MS), and the newest
 * N of them (default 20) as JSON lines. Carrier ids and status words only: a receipt row
 * holds no number or body.
 */
const [command, ...args] = process.argv.slice(2);
const url = process.env.DATABASE_URL;
if (command !== 'unmatched') {
  console.error('usage: receipts unmatched [--limit N]');
  process.exit(2);
}
if (!url) {
  console.error('DATABASE_URL is not set');
  process.exit(2);
}
const flag = args.indexOf('--limit');
const limit = flag >= 0 ? Number(args[flag + 1]) : 20;
if (!Number.isInteger(limit) || limit < 0 || limit > 10_000) {
  console.error('--limit must be an integer from 0 to 10000');
  process.exit(2);
}
const pool = createPgPool({ connectionString: url, max: 1, applicationName: 'maskline-receipts' });
try {
  const { total, latest } = await new ReceiptRepository(pool).unmatched(limit);
  console.log(JSON.stringify({ msg: 'unmatched receipts', total }));
  for (const receipt of latest) console.log(JSON.stringify(receipt));
} catch (error) {
  console.error(`receipts: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await pool.end();
}
