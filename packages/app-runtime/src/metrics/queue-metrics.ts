import { type BatchObservableCallback, metrics } from '@opentelemetry/api';

/** What the gauges read of a BullMQ queue (a Queue satisfies it). */
export interface ObservedQueue {
  readonly name: string;
  getJobCounts(...states: string[]): Promise<Record<string, number>>;
  getJobs(states: 'wait'[], start: number, end: number, asc: boolean): Promise<{ timestamp: number }[]>;
}

/** The job states counted per queue. */
export const COUNTED_STATES = ['waiting', 'prioritized', 'delayed', 'active', 'failed'] as const;

/**
 * Queue depth and the age of the oldest waiting job, read from Redis when metrics are
 * collected (a scrape), never per job: one job-count call and one read of the oldest
 * waiting job per queue. Labels: the queue's name and the job state. A queue that cannot
 * be read (Redis away) reports nothing for that scrape. Returns the unregister function.
 */
export function observeQueues(queues: readonly ObservedQueue[], now: () => number = Date.now): () => void {
  const meter = metrics.getMeter('maskline.queues');
  const jobs = meter.createObservableGauge('maskline.queue.jobs', {
    description: 'Jobs in a queue, by state',
    unit: '{job}',
  });
  const oldest = meter.createObservableGauge('maskline.queue.oldest_job.age', {
    description: 'Age of the oldest waiting job (0 when none waits)',
    unit: 's',
  });
  const callback: BatchObservableCallback = async (result) => {
    await Promise.all(
      queues.map(async (queue) => {
        try {
          const [counts, [first]] = await Promise.all([
            queue.getJobCounts(...COUNTED_STATES),
            queue.getJobs(['wait'], 0, 0, true),
          ]);
          for (const state of COUNTED_STATES)
            result.observe(jobs, counts[state] ?? 0, { queue: queue.name, state });
          const age = first ? Math.max(0, (now() - first.timestamp) / 1000) : 0;
          result.observe(oldest, age, { queue: queue.name });
        } catch {
          // Redis away: nothing observed for this queue; the apps' health says why.
        }
      }),
    );
  };
  meter.addBatchObservableCallback(callback, [jobs, oldest]);
  return () => meter.removeBatchObservableCallback(callback, [jobs, oldest]);
}
