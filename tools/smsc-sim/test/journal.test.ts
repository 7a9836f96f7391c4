import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { optionsFromEnv } from '../src/env.js';
import { useSimulators } from './fixture.js';
import { eventually } from './smpp-test-client.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function journalPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'smsc-journal-'));
  dirs.push(dir);
  return join(dir, 'journal.jsonl');
}

const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('submit journal', () => {
  const sims = useSimulators();

  it('appends each accepted submit (body as a digest, no number) and each acknowledged receipt', async () => {
    const path = journalPath();
    const sim = await sims.start({ journalFile: path });
    const { client } = await sims.bind(sim);
    const resp = await client.submit({ short_message: Buffer.from('journal body'), registered_delivery: 1 });
    const id = String(resp.message_id);
    await client.waitForDelivered(1);
    await eventually(() => sim.stats().receiptsAcknowledged === 1);

    const digest = createHash('sha256').update('journal body').digest('hex');
    expect(lines(path)).toEqual([
      { e: 'submit', id, body: digest, t: expect.any(Number) },
      { e: 'receipt-ack', id, t: expect.any(Number) },
    ]);
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain('journal body');
    expect(text).not.toContain('447911123456');
  });

  it('keeps appending to the same file across simulator instances (a restarted SMSC)', async () => {
    const path = journalPath();
    for (const body of ['first', 'second']) {
      const sim = await sims.start({ journalFile: path });
      const { client } = await sims.bind(sim);
      await client.submit({ short_message: Buffer.from(body), registered_delivery: 0 });
      await sim.close();
    }
    expect(lines(path).map((l) => l.e)).toEqual(['submit', 'submit']);
  });

  it('is read from SMSC_SIM_JOURNAL_FILE', () => {
    expect(optionsFromEnv({ SMSC_SIM_JOURNAL_FILE: 'carrier-journal.jsonl' }).journalFile).toBe(
      'carrier-journal.jsonl',
    );
    expect(optionsFromEnv({}).journalFile).toBeUndefined();
  });
});
