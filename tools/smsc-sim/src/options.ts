import type { Logger } from '@maskline/core';
import { z } from 'zod';

export const simulatorOptionsSchema = z.object({
  host: z.string().default('127.0.0.1'),
  /** 0 picks a free port. */
  smppPort: z.number().int().min(0).max(65_535).default(2775),
  /** 0 picks a free port; null runs no control API. */
  controlPort: z.number().int().min(0).max(65_535).nullable().default(2776),
  /** When set, binds with other credentials are refused. */
  systemId: z.string().max(15).optional(),
  password: z.string().max(8).optional(),
  submitRespDelayMs: z.number().int().min(0).default(0),
  receiptDelayMs: z.number().int().min(0).default(0),
  messageIdFormat: z.enum(['hex', 'decimal']).default('hex'),
  /** How many received messages the simulator remembers. */
  recordLimit: z.number().int().positive().default(10_000),
  /** Receipts waiting for a receiver to bind, per system id. */
  pendingReceiptLimit: z.number().int().positive().default(100_000),
});

export type SimulatorOptionsInput = z.input<typeof simulatorOptionsSchema> & { logger?: Logger };
export type SimulatorOptions = z.output<typeof simulatorOptionsSchema>;
