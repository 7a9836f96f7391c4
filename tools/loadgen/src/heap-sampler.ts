/**
 * Heap sampler, preloaded into each app by the bench with
 * `NODE_OPTIONS=--import=<this file>` — no change to the apps. When
 * MASKLINE_HEAP_SAMPLE_MS and MASKLINE_HEAP_SAMPLE_FILE are set, appends one JSON line of
 * process.memoryUsage() (MiB) every interval: {"t":<epoch ms>,"heapUsedMiB":…,…}.
 *
 * With MASKLINE_HEAP_GC_EVERY_MS as well (the soak sets it), a full garbage collection is
 * forced that often and the heap measured right after it is written with "gc":true: the
 * live heap, the honest leak signal (heapUsed between collections mostly measures garbage
 * not yet collected). The timers are unref'd so they never keep a process alive.
 */
import { appendFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const everyMs = Number(process.env.MASKLINE_HEAP_SAMPLE_MS);
const gcEveryMs = Number(process.env.MASKLINE_HEAP_GC_EVERY_MS);
const file = process.env.MASKLINE_HEAP_SAMPLE_FILE;

if (file && Number.isFinite(everyMs) && everyMs > 0) {
  const mib = (bytes: number) => Math.round((bytes / 1_048_576) * 100) / 100;
  const sample = (gc: boolean) => {
    const m = process.memoryUsage();
    try {
      appendFileSync(
        file,
        `${JSON.stringify({
          t: Date.now(),
          heapUsedMiB: mib(m.heapUsed),
          heapTotalMiB: mib(m.heapTotal),
          rssMiB: mib(m.rss),
          externalMiB: mib(m.external),
          ...(gc ? { gc: true } : {}),
        })}\n`,
      );
    } catch {
      // the bench's temp dir is gone: nothing left to record
    }
  };
  setInterval(() => sample(false), everyMs).unref();
  sample(false);
  if (Number.isFinite(gcEveryMs) && gcEveryMs > 0) {
    // Node 20 does not accept --expose-gc in NODE_OPTIONS; this is the documented way round.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    setInterval(() => {
      gc();
      sample(true);
    }, gcEveryMs).unref();
  }
}
