/**
 * `npm run bench:otp` (first half; the script then runs the extractor's bench,
 * packages/verification/bench/extract-bench.ts): verifications created and checked per
 * second end to end, through the ingest as a real process from its build (HTTP over
 * loopback, fetch) on a throwaway PostgreSQL and Redis. Every number is distinct and in a
 * range of its own (the per-number limits do not bite; the tenant's hourly limit is off;
 * the SMS-pumping defence counts each send and approval as in production without
 * judging any range) and every code is checked right.
 *
 * Phases: create N verifications from C concurrent clients (timed); read each code out of
 * its sealed SMS body with the test vault, as the phone would (not timed); check them all
 * from C clients (timed). No delivery worker runs: the SMS jobs wait in Redis. Prints
 * counts and rates only, never a code or a number.
 *
 * Options: --verifications N (2000; up to 8000 distinct numbers), --clients C (16).
 */
import { parseArgs } from 'node:util';
import { MessageRepository } from '@maskline/storage';
import { TEST_VERIFICATION_SECRET } from '@maskline/testing';
import { startBenchInfra } from './bench-infra.js';

const { values } = parseArgs({
  options: {
    verifications: { type: 'string', default: '2000' },
    clients: { type: 'string', default: '16' },
  },
});
const total = Number(values.verifications);
const clients = Number(values.clients);
const log = (line: string) => console.log(`[otp-bench] ${line}`);

/** Runs `task(i)` for i in [0, n) from `concurrency` workers; resolves with the elapsed ms. */
async function pool(n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await task(next++);
    }),
  );
  return performance.now() - started;
}

const rate = (n: number, ms: number) => Math.round(n / (ms / 1000)).toLocaleString('en-US');

const infra = await startBenchInfra('otp-bench', log);
try {
  const { db, apiKey } = infra;
  const url = await infra.startIngest({
    VERIFICATION_CODE_SECRET: TEST_VERIFICATION_SECRET,
    VERIFICATION_LIMIT_PER_TENANT_HOUR: '0',
    RATE_LIMIT_PER_MINUTE: '10000000',
  });
  const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };

  const post = async (
    path: string,
    body: object,
  ): Promise<{ status: number; json: Record<string, string> }> => {
    const response = await fetch(`${url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    return { status: response.status, json: (await response.json()) as Record<string, string> };
  };

  // Warm-up: connections, prepared statements, the tenant's vault keys.
  for (let i = 0; i < 20; i++)
    await post('/v1/verifications', { to: `+4479470${String(i).padStart(5, '0')}`, brand: 'Bench' });

  log(`creating ${total} verifications from ${clients} clients`);
  const created: { id: string; messageId: string }[] = [];
  let createFailures = 0;
  const createMs = await pool(total, clients, async (i) => {
    // A number range of its own per verification (codes are checked only after all are
    // sent, so ranges of 20+ unchecked sends would be blocked as pumping); the defence
    // still counts every send and approval. +44 7920 to +44 7999: all valid UK mobile ranges.
    const to = `+4479${String(2000 + (i % 8000))}1234`;
    const answer = await post('/v1/verifications', { to, brand: 'Bench' });
    if (answer.status === 201) created[i] = { id: answer.json.id!, messageId: answer.json.messageId! };
    else createFailures++;
  });

  const messages = new MessageRepository(db.pool, db.vault);
  const codes: string[] = [];
  for (const [i, v] of created.entries()) {
    if (!v) continue;
    const record = await messages.loadForDelivery(v.messageId);
    codes[i] = /code is (\d+)/.exec(record?.content?.body ?? '')?.[1] ?? '';
  }

  log(`checking ${created.filter(Boolean).length} codes from ${clients} clients`);
  let approved = 0;
  const checkMs = await pool(total, clients, async (i) => {
    const v = created[i];
    if (!v) return;
    const answer = await post(`/v1/verifications/${v.id}/check`, { code: codes[i] });
    if (answer.status === 200 && answer.json.status === 'approved') approved++;
  });

  log(
    `created: ${total - createFailures}/${total} in ${createMs.toFixed(0)} ms = ${rate(total - createFailures, createMs)} verifications/s`,
  );
  log(`checked: ${approved} approved in ${checkMs.toFixed(0)} ms = ${rate(approved, checkMs)} checks/s`);
  if (createFailures > 0 || approved !== total - createFailures) process.exitCode = 1;
} finally {
  await infra.close();
}
