import type {
  CallbackContext,
  CarrierCallbackRequest,
  CarrierCallbackRoute,
  CarrierCallbackVerdict,
  InboundEvent,
  ReceiptEvent,
  ReceiptOutcome,
} from '@maskline/plugin-sdk';
import { sameSignature } from '../timing-safe.js';
import { TWILIO_INBOUND_PATH, TWILIO_STATUS_PATH } from './twilio-carrier.js';
import { twilioSignature } from './twilio-signature.js';

/** Twilio's MessageStatus words; the ones not final are `enroute` (no effect on the message). */
const OUTCOME_OF_STATUS: Readonly<Record<string, ReceiptOutcome>> = {
  accepted: 'enroute',
  scheduled: 'enroute',
  queued: 'enroute',
  sending: 'enroute',
  sent: 'enroute',
  delivered: 'delivered',
  read: 'delivered',
  undelivered: 'undeliverable',
  // Twilio could not send it at all (account, queue overflow): the network never saw it.
  failed: 'rejected',
  canceled: 'rejected',
};

/** An empty TwiML document: Twilio sends no reply SMS. */
export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

/**
 * Twilio's status callback (`/status`) and incoming-message webhook (`/inbound`), both
 * form-encoded POSTs signed with X-Twilio-Signature. Twilio's signature carries no time,
 * so no signedAt: a replayed callback is idempotent here (receipts are deduplicated).
 */
export function twilioCallbacks(ctx: CallbackContext): CarrierCallbackRoute[] {
  const authToken = ctx.secrets.authToken ?? '';
  const verify = (request: CarrierCallbackRequest): CarrierCallbackVerdict => ({
    valid:
      authToken.length > 0 &&
      sameSignature(
        twilioSignature(authToken, request.url, formOf(request)),
        request.headers['x-twilio-signature'],
      ),
  });
  return [
    {
      method: 'POST',
      path: TWILIO_STATUS_PATH,
      verify,
      parse: (request) => [parseStatus(formOf(request))],
    },
    {
      method: 'POST',
      path: TWILIO_INBOUND_PATH,
      verify,
      parse: (request) => [parseInbound(formOf(request))],
      answer: { status: 200, contentType: 'text/xml', body: EMPTY_TWIML },
    },
  ];
}

export function parseStatus(form: URLSearchParams): ReceiptEvent {
  const sid = required(form, 'MessageSid');
  const status = required(form, 'MessageStatus').toLowerCase();
  const errorCode = form.get('ErrorCode');
  return {
    type: 'receipt',
    carrierMessageId: sid,
    outcome: OUTCOME_OF_STATUS[status] ?? 'unknown',
    carrierStatus: status,
    ...(errorCode ? { networkErrorCode: errorCode } : {}),
  };
}

export function parseInbound(form: URLSearchParams): InboundEvent {
  return {
    type: 'inbound',
    from: required(form, 'From'),
    to: required(form, 'To'),
    body: form.get('Body') ?? '',
    carrierMessageId: required(form, 'MessageSid'),
    receivedAt: new Date().toISOString(),
  };
}

function formOf(request: CarrierCallbackRequest): URLSearchParams {
  return new URLSearchParams(request.rawBody.toString('utf8'));
}

/** A field the callback must carry; the error names the field, never a value. */
function required(form: URLSearchParams, name: string): string {
  const value = form.get(name);
  if (!value) throw new Error(`Twilio callback without ${name}`);
  return value;
}
