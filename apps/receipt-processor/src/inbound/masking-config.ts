import { maskingConfigShape } from '@maskline/masking';
import { z } from 'zod';

/** The masking settings of the receipt processor (spread into its config schema). */
export const maskingRelayConfigShape = {
  ...maskingConfigShape,
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
