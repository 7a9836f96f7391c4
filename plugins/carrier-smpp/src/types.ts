import type { z } from 'zod';
import type { smppConfigSchema } from './config.js';

/** The parsed configuration (every default filled in), as create() receives it. */
export type SmppConfig = z.output<typeof smppConfigSchema>;

/** The configuration as an operator writes it (defaults optional). */
export type SmppConfigInput = z.input<typeof smppConfigSchema>;

/** How a bind attaches to the SMSC. Only transceiver so far. */
export type SmppBindMode = SmppConfig['bindMode'];
