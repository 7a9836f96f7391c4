import { defineCarrierPlugin } from '@maskline/core';
import { smppConfigSchema } from './config.js';
import { SmppCarrier } from './smpp-carrier.js';
import type { SmppConfig } from './types.js';

export { smppConfigSchema } from './config.js';
export type { SmppBindMode, SmppConfig, SmppConfigInput } from './types.js';

/** SMPP 3.4 carrier plugin: transceiver binds to one SMSC (see README.md for config). */
export const smppCarrierPlugin = defineCarrierPlugin<SmppConfig>({
  id: 'smpp',
  version: '0.1.0',
  protocol: 'smpp',
  configSchema: smppConfigSchema,
  // concatenation: false until UDH lands; long bodies go whole in message_payload.
  capabilities: { deliveryReceipts: true, inbound: true, unicode: true, concatenation: false },
  create: (ctx, config) => new SmppCarrier(ctx, config),
});
