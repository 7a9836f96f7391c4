import {
  type AnyDeliverJob,
  type DeliverJob,
  deliverBatchJobSchema,
  deliverJobSchema,
} from '@maskline/queues';
import type { DeliveryRecord } from '@maskline/storage';
import { type Job, UnrecoverableError } from 'bullmq';

/** What became of one message of a deliver job. */
export type DeliverOutcome = 'submitted' | 'skipped' | 'missing' | 'ended' | 'retrying' | 'rerouted';

/** One job as its chunks fill it in: an outcome per message, the errors that fail the job. */
export interface JobRun {
  job: Job;
  own: boolean;
  ids: string[];
  jobTrace: DeliverJob['trace'];
  outcomes: DeliverOutcome[];
  errors: unknown[];
}

export function isPending(record: DeliveryRecord | null): record is DeliveryRecord {
  return record?.message.status === 'accepted' || record?.message.status === 'queued';
}

export function lastAttemptOf(job: Job, own: boolean): boolean {
  return (own ? job.attemptsMade + 1 : 1) >= (job.opts.attempts ?? 1);
}

/** What one job is: its messages, and whether the job is the message's own (id = message id). */
export function messagesOf(job: Job<AnyDeliverJob>): {
  ids: string[];
  own: boolean;
  trace?: DeliverJob['trace'];
} {
  const single = deliverJobSchema.safeParse(job.data);
  if (single.success) return { ids: [single.data.messageId], own: true, trace: single.data.trace };
  const batch = deliverBatchJobSchema.safeParse(job.data);
  if (batch.success) return { ids: batch.data.messageIds, own: false };
  throw new UnrecoverableError('invalid_request');
}
