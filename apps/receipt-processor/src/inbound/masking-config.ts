import { z } from 'zod';

/** The masking settings of the receipt processor (spread into its config schema). */
export const maskingRelayConfigShape = {
  /** Cool-off of an expired session's number before it is allocated again (default 24 h). */
  MASKING_QUARANTINE_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(24 * 3_600_000),
  /** A pool.low_watermark event is recorded when allocatable numbers drop below this. */
  MASKING_LOW_WATERMARK: z.coerce.number().int().min(0).default(10),
  /** Messages to a quarantined number (or one without a live session): drop (and record) or auto_reply. */
  MASKING_QUARANTINE_POLICY: z.enum(['drop', 'auto_reply']).default('drop'),
  MASKING_QUARANTINE_REPLY: z.string().min(1).max(320).default('This number is no longer in service.'),
  /** How often the sweeper expires overdue sessions the delayed jobs missed. */
  MASKING_SWEEP_INTERVAL_MS: z.coerce.number().int().positive().default(30_000),
};

export interface MaskingRelayConfig {
  QUEUE_PREFIX: string;
  MASKING_QUARANTINE_MS: number;
  MASKING_LOW_WATERMARK: number;
  MASKING_QUARANTINE_POLICY: 'drop' | 'auto_reply';
  MASKING_QUARANTINE_REPLY: string;
  MASKING_SWEEP_INTERVAL_MS: number;
}
