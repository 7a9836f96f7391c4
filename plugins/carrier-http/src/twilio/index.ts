import { defineCarrierPlugin } from '@maskline/plugin-sdk';
import { twilioCallbacks } from './twilio-callbacks.js';
import { TwilioCarrier } from './twilio-carrier.js';
import { type TwilioConfig, twilioConfigSchema } from './twilio-config.js';

/** Twilio Programmable Messaging (see README.md: config, the authToken secret, callbacks). */
export const twilioCarrierPlugin = defineCarrierPlugin<TwilioConfig>({
  id: 'twilio',
  version: '0.1.0',
  protocol: 'http',
  configSchema: twilioConfigSchema,
  // Twilio takes the whole body (up to 1600 characters), picks GSM-7 or UCS-2 and splits
  // it into segments itself; Maskline sends one request per message and records num_segments.
  capabilities: { deliveryReceipts: true, inbound: true, unicode: true, concatenation: true },
  secrets: { authToken: { description: "The account's auth token (Basic auth and callback signatures)." } },
  create: (ctx, config) => new TwilioCarrier(ctx, config),
  callbacks: (ctx) => twilioCallbacks(ctx),
});

export { EMPTY_TWIML, parseInbound, parseStatus } from './twilio-callbacks.js';
export { type TwilioConfig, twilioConfigSchema } from './twilio-config.js';
export { twilioFailureClass } from './twilio-errors.js';
export { twilioSignature } from './twilio-signature.js';
