import { MasklineError, parseE164 } from '@maskline/core';
import { MESSAGE_KINDS, type MessageKind } from '@maskline/routing';

export interface SendMessageRequest {
  to: string;
  from: string;
  body: string;
  /**
   * Where this message's status changes go (docs/webhooks.md#statuscallback), as sent: the
   * ingest resolves it to an endpoint. May carry a credential: never log or echo it.
   */
  statusCallback?: string;
  /** What the message is for (routes may differ by kind); default transactional. */
  kind?: MessageKind;
  /** The client's own reference (an order id, a tag), shown back and filterable in GET /v1/messages. */
  clientReference?: string;
}

/** Kinds a client may name; masking_relay is set by the masking paths only. */
const CLIENT_KINDS: readonly string[] = MESSAGE_KINDS.filter((k) => k !== 'masking_relay');

/** Alphanumeric sender ids: 1 to 11 characters, letters, digits and spaces (GSM 03.40). */
const ALPHANUMERIC_SENDER = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/;

const KNOWN_FIELDS = new Set(['to', 'from', 'body', 'statusCallback', 'kind', 'clientReference']);

/** Validates POST /v1/messages. Error messages name the field, never echo its value. */
export function parseSendMessageRequest(input: unknown, maxBodyChars: number): SendMessageRequest {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new MasklineError('invalid_request', { message: 'The request body must be a JSON object.' });
  }
  const record = input as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!KNOWN_FIELDS.has(key)) {
      throw new MasklineError('invalid_request', {
        message: `Unknown field: ${key.slice(0, 40)}.`,
        details: { field: key.slice(0, 40) },
      });
    }
  }
  const to = parseE164(record.to, 'to');
  const from = parseSender(record.from);
  const body = record.body;
  if (typeof body !== 'string' || body.length === 0 || [...body].length > maxBodyChars) {
    throw new MasklineError('message_body_invalid', {
      message: `body must be a non-empty string of at most ${maxBodyChars} characters.`,
      details: { field: 'body' },
    });
  }
  const kind = parseKind(record.kind);
  const clientReference = parseClientReference(record.clientReference, 'clientReference');
  const base = {
    to,
    from,
    body,
    ...(kind ? { kind } : {}),
    ...(clientReference !== undefined ? { clientReference } : {}),
  };
  const statusCallback = record.statusCallback;
  if (statusCallback === undefined || statusCallback === null) return base;
  if (typeof statusCallback !== 'string') {
    throw new MasklineError('invalid_webhook_url', {
      details: { field: 'statusCallback', reason: 'invalid_url' },
    });
  }
  return { ...base, statusCallback };
}

/** 1 to 128 printable ASCII characters. */
const CLIENT_REFERENCE = /^[\x20-\x7e]{1,128}$/;
/** What looks like a phone number: `+` then 7 or more digits (spaced or not), or 10 digits in a row. */
const PHONE_LIKE = /\+\s*(?:\d[\s().-]*){7,}|\d{10,}/;

/**
 * A client reference is metadata the API shows back and filters by: it must never carry a
 * person's number (or a body), so what looks like one is refused. The error never echoes it.
 */
export function parseClientReference(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !CLIENT_REFERENCE.test(value)) {
    throw new MasklineError('invalid_request', {
      message: `${field} must be 1 to 128 printable ASCII characters.`,
      details: { field },
    });
  }
  if (PHONE_LIKE.test(value)) {
    throw new MasklineError('invalid_request', {
      message: `${field} must not contain a phone number.`,
      details: { field, reason: 'phone_number' },
    });
  }
  return value;
}

function parseKind(value: unknown): MessageKind | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && CLIENT_KINDS.includes(value)) return value as MessageKind;
  throw new MasklineError('invalid_request', {
    message: `kind must be one of ${CLIENT_KINDS.join(', ')}.`,
    details: { field: 'kind' },
  });
}

/** A sender: an E.164 number or an alphanumeric sender id (also for verifications). */
export function parseSender(value: unknown): string {
  if (typeof value === 'string' && ALPHANUMERIC_SENDER.test(value)) return value;
  if (typeof value === 'string' && value.startsWith('+')) return parseE164(value, 'from');
  throw new MasklineError('invalid_phone_number', {
    message: 'from must be an E.164 number or an alphanumeric sender id of up to 11 characters.',
    details: { field: 'from' },
  });
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export function parseIdempotencyKey(header: unknown): string | null {
  if (header === undefined) return null;
  if (typeof header === 'string' && IDEMPOTENCY_KEY.test(header)) return header;
  throw new MasklineError('invalid_request', {
    message: 'Idempotency-Key must be 1 to 255 printable ASCII characters.',
    details: { field: 'Idempotency-Key' },
  });
}
