import { Batcher, type CarrierAnswer, type TerminalStatus } from '@maskline/core';
import type { DeliveryRecord, MessageRepository, SubmittedUpdate } from '@maskline/storage';

/** What the deliver processor needs from storage. */
export interface DeliveryStore {
  load(messageId: string): Promise<DeliveryRecord | null>;
  markSubmitted(update: SubmittedUpdate): Promise<boolean>;
  markFinal(
    messageId: string,
    status: TerminalStatus,
    errorCode: string | null,
    carrierStatus?: CarrierAnswer,
  ): Promise<boolean>;
  /** The carrier's answer to a failed attempt, kept while the message waits for a retry. */
  recordCarrierAnswer(messageId: string, answer: CarrierAnswer): Promise<boolean>;
}

/** One query per call: simplest, for tests and low volume. */
export function directDeliveryStore(messages: MessageRepository): DeliveryStore {
  return {
    load: (id) => messages.loadForDelivery(id),
    markSubmitted: async (u) => (await messages.markManySubmitted([u]))[0] ?? false,
    markFinal: (id, status, code, answer) => messages.markFinal(id, status, code, answer),
    recordCarrierAnswer: (id, answer) => messages.recordCarrierAnswer(id, answer),
  };
}

/**
 * Loads and `submitted` updates of concurrent jobs share one statement each. A job still
 * completes only after its own row is durable, so the outbox guarantees hold; what
 * changes is that 64 jobs in flight cost a few round trips instead of 128. A message
 * whose tenant's keys cannot be loaded fails alone (its job retries); the others load.
 */
export function batchedDeliveryStore(
  messages: MessageRepository,
  options = { maxSize: 100, maxWaitMs: 2 },
): DeliveryStore {
  const loads = new Batcher<string, DeliveryRecord | null>(
    (ids) => messages.loadEachForDelivery(ids),
    options,
  );
  const submitted = new Batcher<SubmittedUpdate, boolean>(
    (rows) => messages.markManySubmitted(rows),
    options,
  );
  return {
    load: (id) => loads.add(id),
    markSubmitted: (update) => submitted.add(update),
    markFinal: (id, status, code, answer) => messages.markFinal(id, status, code, answer),
    recordCarrierAnswer: (id, answer) => messages.recordCarrierAnswer(id, answer),
  };
}
