import { defineCarrierPlugin } from '@maskline/plugin-sdk';
import { httpJsonCallbacks } from './http-json-callbacks.js';
import { HttpJsonCarrier } from './http-json-carrier.js';
import { type HttpJsonConfig, httpJsonConfigSchema } from './http-json-config.js';

/** A generic JSON-over-HTTP SMS provider, described by config (see README.md). */
export const httpJsonCarrierPlugin = defineCarrierPlugin<HttpJsonConfig>({
  id: 'http-json',
  version: '0.1.0',
  protocol: 'http',
  configSchema: httpJsonConfigSchema,
  // The whole body goes in one request: the provider must accept long and Unicode text and
  // split it itself (the README says so); no inbound route (providers differ too much).
  capabilities: { deliveryReceipts: true, inbound: false, unicode: true, concatenation: true },
  secrets: {
    apiKey: { description: 'Sent in request.apiKeyHeader, when configured.', optional: true },
    signingKey: { description: 'HMAC-SHA256 key of receipt callbacks (receipts.signature).', optional: true },
  },
  create: (ctx, config) => new HttpJsonCarrier(ctx, config),
  callbacks: (ctx, config) => httpJsonCallbacks(ctx, config),
});

export { classOfStatus } from './http-json-carrier.js';
export { type HttpJsonConfig, httpJsonConfigSchema } from './http-json-config.js';
