import { toMasklineError } from '@maskline/core';
import {
  CARRIER_EVENT_JOBS,
  CARRIER_EVENTS_QUEUE,
  type InboundJob,
  type ReceiptJob,
  toWorkerError,
} from '@maskline/queues';
import type { Telemetry } from '@maskline/telemetry';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { loadReceiptProcessorConfig } from './config.js';
import { createReceiptContainer, resolveReceiptServices } from './container.js';

/** Consumes the carrier-events queue (receipts, inbound) and runs the sweep. */
export async function run(telemetry: Telemetry): Promise<void> {
  const config = loadReceiptProcessorConfig();
  const services = resolveReceiptServices(createReceiptContainer(config, telemetry.tracer));
  const { logger } = services;

  const worker: Worker<ReceiptJob | InboundJob> = new Worker(
    CARRIER_EVENTS_QUEUE,
    async (job: Job<ReceiptJob | InboundJob>) => {
      try {
        if (job.name === CARRIER_EVENT_JOBS.receipt)
          return await services.receipts.process(job as Job<ReceiptJob>);
        if (job.name === CARRIER_EVENT_JOBS.inbound)
          return await services.inbound.process(job as Job<InboundJob>);
        throw new UnrecoverableError('invalid_request');
      } catch (error) {
        if (error instanceof UnrecoverableError) throw error;
        throw await toWorkerError(toMasklineError(error), worker);
      }
    },
    { connection: services.redis, prefix: config.QUEUE_PREFIX, concurrency: config.CONCURRENCY },
  );
  worker.on('error', (error) => logger.warn({ err: error }, 'worker error'));
  services.sweeper.start();
  logger.info({ concurrency: config.CONCURRENCY }, 'receipt processor running');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'receipt processor stopping');
    services.sweeper.stop();
    await worker.close();
    await services.events.close();
    services.redis.disconnect();
    await services.pool.end();
    await telemetry.shutdown().catch(() => {});
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}
