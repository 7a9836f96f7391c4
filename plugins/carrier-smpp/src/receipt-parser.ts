import type { ReceiptOutcome } from '@maskline/core';
import type { ParsedReceipt, ReceiptTextFields, ReceiptTlvs } from './internal-types.js';

/**
 * Delivery receipts (SMPP 3.4 Appendix B). The text form is a convention, not a standard:
 *   id:IIIIIIIIII sub:SSS dlvrd:DDD submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DDDDDDD err:E text:...
 * Keys are matched case-insensitively ("submit_date" and "submitdate" too), any field may
 * be missing, and `text:` runs to the end (it may contain spaces). TLVs
 * (receipted_message_id, message_state, network_error_code), when present, win over the text.
 */
const KEY_PATTERN = /(?:^|\s)(id|sub|dlvrd|submit[ _]?date|done[ _]?date|stat|err|text):/gi;
const FIELD_BY_KEY: Record<string, keyof ReceiptTextFields> = {
  id: 'id',
  sub: 'sub',
  dlvrd: 'dlvrd',
  submitdate: 'submitDate',
  donedate: 'doneDate',
  stat: 'stat',
  err: 'err',
  text: 'text',
};

export function parseReceiptText(text: string): ReceiptTextFields {
  const matches = [...text.matchAll(KEY_PATTERN)];
  const fields: ReceiptTextFields = {};
  for (let i = 0; i < matches.length; i++) {
    const match = matches[i]!;
    const key = FIELD_BY_KEY[match[1]!.toLowerCase().replace(/[ _]/, '')]!;
    const start = match.index + match[0].length;
    if (key === 'text') {
      fields.text = text.slice(start).trim();
      break;
    }
    const end = matches[i + 1]?.index ?? text.length;
    const value = text.slice(start, end).trim();
    if (fields[key] === undefined && value !== '') fields[key] = value;
  }
  return fields;
}

/** message_state values (SMPP 3.4 §5.2.28) and the stat words receipts use for them. */
const STATE_WORDS: Record<number, string> = {
  1: 'ENROUTE',
  2: 'DELIVRD',
  3: 'EXPIRED',
  4: 'DELETED',
  5: 'UNDELIV',
  6: 'ACCEPTD',
  7: 'UNKNOWN',
  8: 'REJECTD',
};

const OUTCOME_BY_WORD: Record<string, ReceiptOutcome> = {
  DELIVRD: 'delivered',
  DELIVERED: 'delivered',
  UNDELIV: 'undeliverable',
  UNDELIVERABLE: 'undeliverable',
  EXPIRED: 'expired',
  REJECTD: 'rejected',
  REJECTED: 'rejected',
  ENROUTE: 'enroute',
  ACCEPTD: 'enroute',
  ACCEPTED: 'enroute',
};

export function outcomeOfStat(stat: string): ReceiptOutcome {
  return OUTCOME_BY_WORD[stat.toUpperCase()] ?? 'unknown';
}

export function outcomeOfMessageState(state: number): ReceiptOutcome {
  const word = STATE_WORDS[state];
  return word ? outcomeOfStat(word) : 'unknown';
}

/** YYMMDDhhmm[ss] → ISO 8601 (taken as UTC: SMPP receipts carry no zone), or undefined. */
export function parseReceiptDate(value: string | undefined): string | undefined {
  const m = value?.match(/^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?$/);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [
    2000 + Number(m[1]),
    Number(m[2]),
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6] ?? '0'),
  ];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const valid =
    date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour < 24 && minute < 60 && second < 60;
  return valid ? date.toISOString() : undefined;
}

function formatNetworkError(buffer: Buffer): string | undefined {
  if (buffer.length === 3) return `${buffer[0]}:${buffer.readUInt16BE(1)}`;
  return buffer.length > 0 ? buffer.toString('hex') : undefined;
}

/** Combine text and TLVs into a receipt; null when no message id can be found. */
export function parseReceipt(text: string, tlvs: ReceiptTlvs = {}): ParsedReceipt | null {
  const fields = parseReceiptText(text);
  const carrierMessageId = tlvs.receiptedMessageId || fields.id;
  if (!carrierMessageId) return null;
  let outcome: ReceiptOutcome;
  let carrierStatus: string;
  if (tlvs.messageState !== undefined) {
    outcome = outcomeOfMessageState(tlvs.messageState);
    carrierStatus = STATE_WORDS[tlvs.messageState] ?? fields.stat ?? `STATE_${tlvs.messageState}`;
  } else if (fields.stat) {
    outcome = outcomeOfStat(fields.stat);
    carrierStatus = fields.stat;
  } else {
    outcome = 'unknown';
    carrierStatus = 'UNKNOWN';
  }
  const networkErrorCode =
    (tlvs.networkErrorCode && formatNetworkError(tlvs.networkErrorCode)) ?? fields.err ?? undefined;
  const doneAt = parseReceiptDate(fields.doneDate);
  return {
    carrierMessageId,
    outcome,
    carrierStatus,
    ...(networkErrorCode === undefined ? {} : { networkErrorCode }),
    ...(doneAt === undefined ? {} : { doneAt }),
  };
}
