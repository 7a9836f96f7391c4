import { extractVerificationCode } from '../src/index.js';
import type { CorpusMessage } from './corpus.js';

export interface CorpusAccuracy {
  readonly correct: number;
  readonly total: number;
  readonly accuracy: number;
  readonly misses: readonly CorpusMessage[];
}

/**
 * Share of messages whose code comes out exactly as labelled and, when there is a code,
 * whose brand does too. Used by the corpus test and printed by the benchmark.
 */
export function corpusAccuracy(messages: readonly CorpusMessage[]): CorpusAccuracy {
  const misses = messages.filter((m) => {
    const got = extractVerificationCode(m.text);
    if ((got?.code ?? null) !== m.code) return true;
    return got !== null && got.brand !== m.brand;
  });
  const correct = messages.length - misses.length;
  return { correct, total: messages.length, accuracy: correct / messages.length, misses };
}
