import { z } from 'zod';
import type { AnomalySettings } from './anomaly-detectors.js';

const count = (fallback: number) => z.coerce.number().int().min(0).default(fallback);
const seconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** The anomaly detectors' thresholds (docs/reference/configuration.md#ingest-anomaly-alerts); 0 turns one off. */
export const anomalyConfigShape = {
  ANOMALY_REVEALS_PER_WINDOW: count(20),
  ANOMALY_REVEAL_WINDOW_SECONDS: seconds(600),
  ANOMALY_LIST_PAGES_PER_WINDOW: count(300),
  ANOMALY_LIST_WINDOW_SECONDS: seconds(300),
  ANOMALY_AUTH_FAILURES_PER_WINDOW: count(100),
  ANOMALY_AUTH_FAILURE_WINDOW_SECONDS: seconds(600),
  ANOMALY_NEW_COUNTRY_MESSAGES: count(100),
  ANOMALY_NEW_COUNTRY_WINDOW_SECONDS: seconds(3_600),
  ANOMALY_NEW_COUNTRY_LOOKBACK_DAYS: seconds(30),
  ANOMALY_NEW_COUNTRY_LEARNING_HOURS: z.coerce.number().int().min(0).default(24),
};

type AnomalyConfig = { [K in keyof typeof anomalyConfigShape]: number };

export function anomalySettingsOf(config: Readonly<AnomalyConfig>): AnomalySettings {
  return {
    reveals: {
      threshold: config.ANOMALY_REVEALS_PER_WINDOW,
      windowMs: config.ANOMALY_REVEAL_WINDOW_SECONDS * 1000,
    },
    listing: {
      threshold: config.ANOMALY_LIST_PAGES_PER_WINDOW,
      windowMs: config.ANOMALY_LIST_WINDOW_SECONDS * 1000,
    },
    authFailures: {
      threshold: config.ANOMALY_AUTH_FAILURES_PER_WINDOW,
      windowMs: config.ANOMALY_AUTH_FAILURE_WINDOW_SECONDS * 1000,
    },
    newCountries: {
      threshold: config.ANOMALY_NEW_COUNTRY_MESSAGES,
      windowMs: config.ANOMALY_NEW_COUNTRY_WINDOW_SECONDS * 1000,
      lookbackMs: config.ANOMALY_NEW_COUNTRY_LOOKBACK_DAYS * 86_400_000,
      learningMs: config.ANOMALY_NEW_COUNTRY_LEARNING_HOURS * 3_600_000,
    },
  };
}
