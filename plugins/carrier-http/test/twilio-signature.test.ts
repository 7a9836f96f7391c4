import type { CarrierCallbackRequest } from '@maskline/core';
import { silentLogger } from '@maskline/core';
import { describe, expect, it } from 'vitest';
import { twilioCarrierPlugin, twilioSignature } from '../src/index.js';

// Twilio's documented example (Webhooks security): auth token 12345, this URL and these
// parameters sign as 0/KCTR6DLpKmkAf8muzZqo1nDgQ= (also computed here with Python's hmac).
const DOC_URL = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const DOC_PARAMS = {
  CallSid: 'CA1234567890ABCDE',
  Caller: '+12349013030',
  Digits: '1234',
  From: '+12349013030',
  To: '+18005551212',
};
const DOC_SIGNATURE = '0/KCTR6DLpKmkAf8muzZqo1nDgQ=';

const config = twilioCarrierPlugin.configSchema.parse({ accountSid: `AC${'a'.repeat(32)}` });
const [statusRoute, inboundRoute] = twilioCarrierPlugin.callbacks!(
  {
    carrierId: 'tw',
    logger: silentLogger,
    secrets: { authToken: '12345' },
    callbackUrl: 'https://mycompany.com',
  },
  config,
);

function callback(url: string, params: Record<string, string>, signature?: string): CarrierCallbackRequest {
  return {
    method: 'POST',
    url,
    path: '/status',
    headers: signature === undefined ? {} : { 'x-twilio-signature': signature },
    rawBody: Buffer.from(new URLSearchParams(params).toString()),
  };
}

describe('X-Twilio-Signature', () => {
  it("matches Twilio's documented vector", () => {
    expect(twilioSignature('12345', DOC_URL, new URLSearchParams(DOC_PARAMS))).toBe(DOC_SIGNATURE);
  });

  it('accepts a callback signed as Twilio signs and refuses any change', async () => {
    expect(await statusRoute!.verify(callback(DOC_URL, DOC_PARAMS, DOC_SIGNATURE))).toEqual({ valid: true });
    expect((await inboundRoute!.verify(callback(DOC_URL, DOC_PARAMS, DOC_SIGNATURE))).valid).toBe(true);
    // Without the header, with another URL, another parameter value, or another token's signature.
    expect((await statusRoute!.verify(callback(DOC_URL, DOC_PARAMS))).valid).toBe(false);
    expect((await statusRoute!.verify(callback(`${DOC_URL}&x=1`, DOC_PARAMS, DOC_SIGNATURE))).valid).toBe(
      false,
    );
    expect(
      (await statusRoute!.verify(callback(DOC_URL, { ...DOC_PARAMS, Digits: '1235' }, DOC_SIGNATURE))).valid,
    ).toBe(false);
    expect(
      (
        await statusRoute!.verify(
          callback(DOC_URL, DOC_PARAMS, twilioSignature('54321', DOC_URL, new URLSearchParams(DOC_PARAMS))),
        )
      ).valid,
    ).toBe(false);
  });

  it('refuses everything when the auth token is missing', async () => {
    const [route] = twilioCarrierPlugin.callbacks!(
      { carrierId: 'tw', logger: silentLogger, secrets: {} },
      config,
    );
    const unsigned = twilioSignature('', DOC_URL, new URLSearchParams(DOC_PARAMS));
    expect((await route!.verify(callback(DOC_URL, DOC_PARAMS, unsigned))).valid).toBe(false);
  });
});
