import { z } from 'zod';

/** Masking settings every app that allocates or frees numbers reads (spread into its config schema). */
export const maskingConfigShape = {
  /** Cool-off of a released or rotated virtual number before it is allocated again (default 24 h). */
  MASKING_QUARANTINE_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(24 * 3_600_000),
  /** A pool.low_watermark event is recorded when allocatable numbers drop below this. */
  MASKING_LOW_WATERMARK: z.coerce.number().int().min(0).default(10),
};
