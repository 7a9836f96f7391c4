import { createSecretKey, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type AuditEntry, ChainVerifier, chainHash, GENESIS_HASH } from '../src/audit/audit-chain.js';

const key = createSecretKey(randomBytes(32));

function chain(n: number): AuditEntry[] {
  const entries: AuditEntry[] = [];
  let prevHash: Buffer = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const base = {
      seq,
      at: new Date(1_700_000_000_000 + seq),
      tenantId: null,
      actor: 'cli:test',
      action: 'key.rotated',
      subject: `data:v${seq}`,
      details: { b: seq, a: 'x' },
    };
    const hash = chainHash(key, prevHash, base);
    entries.push({ ...base, prevHash, hash });
    prevHash = hash;
  }
  return entries;
}

function verify(entries: AuditEntry[], k = key) {
  const verifier = new ChainVerifier(k);
  for (const e of entries) verifier.add(e);
  return verifier;
}

describe('the audit hash chain', () => {
  it('accepts an intact chain and reports its head', () => {
    const entries = chain(5);
    const verifier = verify(entries);
    expect(verifier.problems).toEqual([]);
    expect(verifier.head()).toEqual({ seq: 5, hash: entries[4]!.hash.toString('hex') });
  });

  it('does not depend on the order of detail keys (jsonb reorders them)', () => {
    const entries = chain(2);
    entries[1] = { ...entries[1]!, details: { a: 'x', b: 2 } };
    expect(verify(entries).problems).toEqual([]);
  });

  it('names an altered entry', () => {
    const entries = chain(5);
    entries[2] = { ...entries[2]!, subject: 'data:v99' };
    expect(verify(entries).problems).toEqual([expect.objectContaining({ seq: 3, problem: 'altered' })]);
  });

  it('names deleted entries', () => {
    const entries = chain(5);
    entries.splice(1, 2);
    expect(verify(entries).problems).toEqual([
      expect.objectContaining({ seq: 4, problem: 'missing', detail: 'entries 2..3 are missing (deleted)' }),
    ]);
  });

  it('names an inserted entry even when it is renumbered into the sequence', () => {
    const entries = chain(4);
    const forged = { ...entries[1]!, subject: 'forged' };
    const renumbered = [entries[0]!, forged, ...entries.slice(1)].map((e, i) => ({ ...e, seq: i + 1 }));
    const problems = verify(renumbered).problems;
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatchObject({ seq: 2 });
  });

  it('cannot be recomputed without the chain key', () => {
    const entries = chain(3);
    expect(verify(entries, createSecretKey(randomBytes(32))).problems.map((p) => p.problem)).toEqual([
      'altered',
      'altered',
      'altered',
    ]);
  });
});
