import { defineCarrierPlugin } from '@maskline/core';
import { type SmppConfig, smppConfigSchema } from './config.js';
import { SmppCarrier } from './smpp-carrier.js';

export type { SmppConfig, SmppConfigInput } from './config.js';
export { smppConfigSchema } from './config.js';

/** SMPP 3.4 carrier plugin (transceiver binds to one SMSC). */
export const smppCarrierPlugin = defineCarrierPlugin<SmppConfig>({
  id: 'smpp',
  version: '0.1.0',
  protocol: 'smpp',
  configSchema: smppConfigSchema,
  capabilities: { deliveryReceipts: true, inbound: true, unicode: true, concatenation: false },
  create: (ctx, config) => new SmppCarrier(ctx, config),
});
