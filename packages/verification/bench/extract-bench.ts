/**
 * `npm run bench:otp-extract`: the code extractor's messages per second over the test
 * corpus, repeated until about a second of work (after a warm-up), plus its accuracy on
 * that corpus. Pure CPU, one thread; prints no message text.
 *
 * Options: --seconds S (1).
 */
import { parseArgs } from 'node:util';
import { extractVerificationCode } from '@maskline/verification';
import { corpus } from '../test/corpus.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '1' } } });
const seconds = Number(values.seconds);

function run(budgetMs: number): { messages: number; elapsedMs: number; sink: number } {
  let messages = 0;
  let sink = 0;
  const started = performance.now();
  let elapsedMs = 0;
  do {
    for (const m of corpus) {
      const got = extractVerificationCode(m.text);
      if (got !== null) sink += got.code.length;
    }
    messages += corpus.length;
    elapsedMs = performance.now() - started;
  } while (elapsedMs < budgetMs);
  return { messages, elapsedMs, sink };
}

run(200); // warm-up: let the JIT settle
const { messages, elapsedMs, sink } = run(seconds * 1000);
const correct = corpus.filter((m) => {
  const got = extractVerificationCode(m.text);
  return (got?.code ?? null) === m.code && (got === null || got.brand === m.brand);
}).length;

console.log(`corpus: ${corpus.length} messages, ${new Set(corpus.map((m) => m.lang)).size} languages`);
console.log(`accuracy: ${correct}/${corpus.length} = ${((correct / corpus.length) * 100).toFixed(1)}%`);
console.log(
  `throughput: ${Math.round(messages / (elapsedMs / 1000)).toLocaleString('en-US')} messages/s ` +
    `(${messages} messages in ${elapsedMs.toFixed(0)} ms, ${((elapsedMs * 1000) / messages).toFixed(2)} µs each; checksum ${sink})`,
);
