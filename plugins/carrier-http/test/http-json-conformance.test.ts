import type { CarrierCallbackRequest } from '@maskline/plugin-sdk';
import { type CallbackSubject, runCarrierConformance } from '@maskline/plugin-testkit';
import { httpJsonCarrierPlugin } from '../src/index.js';
import { FAKE_STATE, FakeJsonApi, fakeJsonApiConfig } from './support/fake-json-api.js';

/**
 * The conformance testkit over the `http-json` definition, configured for the local fake
 * JSON API: refusals are its HTTP statuses, receipts the signed JSON POSTs it would make
 * (built and signed by the fake's own code). http-json has no inbound route.
 */
const secrets = { apiKey: 'conformance-api-key-3e7a', signingKey: 'conformance-signing-key-c40d' };
const CALLBACK_URL = 'https://gateway.example/carriers/conformance';
const HTTP_STATUS = { temporary: 503, permanent: 400, throttle: 429 } as const;

function callbackFor(api: FakeJsonApi, subject: CallbackSubject): CarrierCallbackRequest {
  if (subject.type !== 'receipt') throw new Error('http-json receives no inbound SMS');
  const path = fakeJsonApiConfig(api.baseUrl).receipts.path;
  const { url, headers, body } = api.receiptRequest(
    `${CALLBACK_URL}${path}`,
    subject.carrierMessageId,
    FAKE_STATE[subject.outcome],
  );
  return { method: 'POST', url, path, headers, rawBody: Buffer.from(body) };
}

runCarrierConformance({
  definition: httpJsonCarrierPlugin,
  async makeTarget() {
    // The testkit delivers the receipts (deliverCallback): the fake sends none of its own.
    const api = await FakeJsonApi.start({ ...secrets, sendReceipts: false });
    return {
      config: { ...fakeJsonApiConfig(api.baseUrl), drainTimeoutMs: 100 },
      secrets,
      callbackUrl: CALLBACK_URL,
      control: {
        failNextSubmit: (kind) => api.failNext(HTTP_STATUS[kind]),
        stallSubmits: (on) => api.stall(on),
        deliverCallback: (subject) => callbackFor(api, subject),
      },
      close: () => api.close(),
    };
  },
});
