import { createHash } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import type { RecordedMessage } from './recorded-messages.js';

/**
 * An append-only record of what the carrier saw, one JSON line per event, written at once
 * (synchronously), so it survives a kill -9 of the simulator and a restarted simulator
 * appends to the same file. The chaos drill reads it to count messages the carrier got
 * twice. Bodies appear only as a SHA-256 digest of their text; numbers not at all.
 *
 * - `{"e":"submit","id":<message_id>,"body":<sha256 hex of the text>,"t":<epoch ms>}`:
 *   a submit the SMSC accepted (recorded), before it is answered;
 * - `{"e":"receipt-ack","id":<receipted message_id>,"t":…}`: the client acknowledged a
 *   delivery receipt (deliver_sm_resp with ESME_ROK).
 */
export interface SubmitJournal {
  submitted(message: RecordedMessage): void;
  receiptAcknowledged(messageId: string): void;
}

export const noJournal: SubmitJournal = { submitted: () => {}, receiptAcknowledged: () => {} };

export function fileJournal(path: string): SubmitJournal {
  const write = (event: Record<string, unknown>) =>
    appendFileSync(path, `${JSON.stringify({ ...event, t: Date.now() })}\n`);
  return {
    submitted: (message) =>
      write({
        e: 'submit',
        id: message.messageId,
        body: createHash('sha256').update(message.text).digest('hex'),
      }),
    receiptAcknowledged: (messageId) => write({ e: 'receipt-ack', id: messageId }),
  };
}
