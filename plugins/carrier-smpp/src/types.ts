import type { z } from 'zod';
import type { smppConfigSchema } from './config.js';

/** The parsed configuration (every default filled in), as create() receives it. */
export type SmppConfig = z.output<typeof smppConfigSchema>;

/** The configuration as an operator writes it (defaults optional). */
export type SmppConfigInput = z.input<typeof smppConfigSchema>;

/** How a bind slot attaches to the SMSC: one transceiver, or a transmitter + receiver pair. */
export type SmppBindMode = SmppConfig['bindMode'];

/** How a long body is sent: UDH concatenation (8/16-bit reference), SAR TLVs, or message_payload. */
export type SmppLongMessageMode = SmppConfig['longMessages'];
