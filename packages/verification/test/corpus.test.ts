import { describe, expect, it } from 'vitest';
import { extractVerificationCode } from '../src/index.js';
import { corpusAccuracy } from './accuracy.js';
import { corpus } from './corpus.js';

describe('corpus', () => {
  it('holds at least 100 messages in at least four languages, at least 20 traps and negatives', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(100);
    expect(new Set(corpus.map((m) => m.lang)).size).toBeGreaterThanOrEqual(4);
    expect(corpus.filter((m) => m.code === null).length).toBeGreaterThanOrEqual(20);
    expect(corpus.filter((m) => m.trap).length).toBeGreaterThanOrEqual(20);
  });

  it('extracts every labelled code and brand (accuracy 100%)', () => {
    const { correct, total, accuracy, misses } = corpusAccuracy(corpus);
    console.log(`otp-extract corpus accuracy: ${correct}/${total} = ${(accuracy * 100).toFixed(1)}%`);
    expect(misses.map((m) => ({ text: m.text, want: m.code, got: extractVerificationCode(m.text) }))).toEqual(
      [],
    );
    expect(accuracy).toBe(1);
  });

  for (const lang of [...new Set(corpus.map((m) => m.lang))]) {
    it(`${lang}: every message right`, () => {
      const ofLang = corpus.filter((m) => m.lang === lang);
      for (const m of ofLang) {
        const got = extractVerificationCode(m.text);
        expect(got?.code ?? null, m.text).toBe(m.code);
        if (m.code !== null) expect(got?.brand, m.text).toBe(m.brand);
      }
    });
  }
});
