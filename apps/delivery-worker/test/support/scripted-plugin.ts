import {
  type CarrierPluginDefinition,
  carrierAnswerDetails,
  defineCarrierPlugin,
  MasklineError,
  type SubmitRequest,
  type SubmitResult,
} from '@maskline/core';
import { z } from 'zod';

/**
 * A carrier plugin whose answer is scripted by the message body, recording each message's
 * submit attempts and their times (shared by the single-job and batch-job tests).
 */
export const attemptsByMessage = new Map<string, number>();
export const submitTimesByMessage = new Map<string, number[]>();
const THROTTLED = carrierAnswerDetails({ code: '0x00000058', name: 'ESME_RTHROTTLED' });
const SUBMIT_FAIL = carrierAnswerDetails({ code: '0x00000045', name: 'ESME_RSUBMITFAIL' });
/** Messages whose `submitted` write fails this many more times (a PostgreSQL blip). */
export const failingWrites = new Map<string, number>();

/** A carrier plugin that is always up and answers each submit with `submit`. */
export function testCarrierPlugin(
  id: string,
  submit: (request: SubmitRequest) => Promise<SubmitResult>,
  inFlightLimit?: number,
): CarrierPluginDefinition<unknown> {
  return defineCarrierPlugin({
    id,
    version: '0.0.0',
    protocol: 'http',
    configSchema: z.object({}),
    capabilities: { deliveryReceipts: false, inbound: false, unicode: true, concatenation: false },
    create: () => ({
      start: async () => {},
      health: () => ({ status: 'up' }),
      close: async () => {},
      submit,
      ...(inFlightLimit === undefined ? {} : { inFlightLimit }),
    }),
  }) as CarrierPluginDefinition<unknown>;
}

export const scriptedPlugin = testCarrierPlugin('scripted', async (request: SubmitRequest) => {
  const attempt = (attemptsByMessage.get(request.messageId) ?? 0) + 1;
  attemptsByMessage.set(request.messageId, attempt);
  submitTimesByMessage.set(request.messageId, [
    ...(submitTimesByMessage.get(request.messageId) ?? []),
    Date.now(),
  ]);
  switch (request.body) {
    case 'reject':
      throw new MasklineError('carrier_invalid_destination');
    case 'flaky':
      if (attempt < 2) throw new MasklineError('carrier_unavailable');
      break;
    case 'down':
      throw new MasklineError('carrier_unavailable');
    case 'throttle':
      if (attempt < 2) throw new MasklineError('carrier_throttled', { retryAfterMs: 50 });
      break;
    case 'throttle-always':
      // A destination the carrier keeps throttling, past the plugin's own resends.
      throw new MasklineError('carrier_throttled', { retryAfterMs: 300, details: THROTTLED });
    case 'submit-fail':
      throw new MasklineError('carrier_error', { details: SUBMIT_FAIL });
    case 'reject-answer':
      throw new MasklineError('carrier_rejected', {
        details: carrierAnswerDetails({ code: '0x0000000B', name: 'ESME_RINVDSTADR' }),
      });
    case 'crash':
      if (attempt < 2) throw new TypeError('undefined is not a function');
      break;
    case 'hang':
      return new Promise(() => {});
  }
  return { carrierMessageId: `c-${request.messageId.slice(-8)}`, partIds: [], segments: 1 };
});

/**
 * How a message with each body ends with the tests' retry policy of 3 attempts: body,
 * status, error code, submit attempts. The same whether it came in its own job or a batch.
 */
export const SCRIPTED_OUTCOMES = [
  ['ok', 'submitted', null, 1],
  ['reject', 'rejected', 'carrier_invalid_destination', 1],
  ['flaky', 'submitted', null, 2],
  ['throttle', 'submitted', null, 2],
  ['crash', 'submitted', null, 2],
  ['down', 'failed', 'retries_exhausted', 3],
] as const;
