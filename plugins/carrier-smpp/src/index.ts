import { defineCarrierPlugin } from '@maskline/core';
import { smppConfigSchema, smppPasswordSchema } from './config.js';
import { SmppCarrier } from './smpp-carrier.js';
import type { SmppConfig } from './types.js';

export { smppConfigSchema, smppPasswordSchema } from './config.js';
export type { SmppBindMode, SmppConfig, SmppConfigInput, SmppLongMessageMode } from './types.js';

/** SMPP 3.4 carrier plugin: transceiver or TX/RX bind pairs to one SMSC (see README.md for config). */
export const smppCarrierPlugin = defineCarrierPlugin<SmppConfig>({
  id: 'smpp',
  version: '0.1.0',
  protocol: 'smpp',
  configSchema: smppConfigSchema,
  // Long bodies go as UDH / SAR parts (or one message_payload), per carrier config.
  capabilities: { deliveryReceipts: true, inbound: true, unicode: true, concatenation: true },
  secrets: {
    password: {
      description: 'the SMPP bind password (at most 8 ASCII characters)',
      schema: smppPasswordSchema,
    },
  },
  create: (ctx, config) => new SmppCarrier(ctx, config),
});
