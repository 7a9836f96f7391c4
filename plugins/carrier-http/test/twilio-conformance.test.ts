import type { CarrierCallbackRequest, ReceiptOutcome } from '@maskline/plugin-sdk';
import { type CallbackSubject, runCarrierConformance } from '@maskline/plugin-testkit';
import { twilioCarrierPlugin } from '../src/index.js';
import { FakeTwilio, type FakeTwilioRequest } from './support/fake-twilio.js';

/**
 * The conformance testkit over the `twilio` definition against the local fake Twilio API:
 * refusals are the fake's Twilio error answers, receipts and inbound SMS the signed form
 * POSTs the fake would make (built and signed by the fake's own code, not the plugin's).
 */
const ACCOUNT_SID = `AC${'fedcba9876543210'.repeat(2)}`;
const AUTH_TOKEN = 'conformance-auth-token-91c2';
const CALLBACK_URL = 'https://gateway.example/carriers/conformance';

/** Twilio's answer for each refusal the testkit asks for. */
const REFUSAL = {
  temporary: { status: 503 },
  permanent: { status: 400, code: 21211 },
  throttle: { status: 429, code: 20429, retryAfter: '1' },
} as const;

/** Twilio's final MessageStatus for each outcome (Twilio reports no expiry of its own). */
const STATUS: Readonly<Record<ReceiptOutcome, string>> = {
  delivered: 'delivered',
  undeliverable: 'undelivered',
  rejected: 'failed',
  expired: 'undelivered',
  enroute: 'sent',
  unknown: 'unknown',
};

function asCallback(request: FakeTwilioRequest): CarrierCallbackRequest {
  return {
    method: 'POST',
    url: request.url,
    path: new URL(request.url).pathname.slice(new URL(CALLBACK_URL).pathname.length),
    headers: request.headers,
    rawBody: Buffer.from(request.body),
  };
}

/** Twilio joins a multipart SMS itself: one webhook, whatever `parts` says. */
function callbackFor(fake: FakeTwilio, subject: CallbackSubject): CarrierCallbackRequest {
  if (subject.type === 'inbound') {
    const url = `${CALLBACK_URL}/inbound`;
    return asCallback(fake.request(url, fake.inboundParams(subject)));
  }
  const message = fake.messages.find((m) => m.sid === subject.carrierMessageId) ?? {
    sid: subject.carrierMessageId,
    to: '+447700900000',
    from: '+15550001111',
  };
  const url = `${CALLBACK_URL}/status`;
  return asCallback(fake.request(url, fake.statusParams(message, STATUS[subject.outcome])));
}

runCarrierConformance({
  definition: twilioCarrierPlugin,
  async makeTarget() {
    const fake = await FakeTwilio.start({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    return {
      // No status callbacks from the fake itself: the testkit delivers them (deliverCallback).
      config: { accountSid: ACCOUNT_SID, baseUrl: fake.baseUrl, statusCallbacks: false, drainTimeoutMs: 100 },
      secrets: { authToken: AUTH_TOKEN },
      callbackUrl: CALLBACK_URL,
      control: {
        failNextSubmit: (kind) => fake.failNext(REFUSAL[kind]),
        stallSubmits: (on) => fake.stall(on),
        deliverCallback: (subject) => callbackFor(fake, subject),
      },
      close: () => fake.close(),
    };
  },
});
