import { type Logger, TOKENS, type Vault } from '@maskline/core';
import { MaskingExpiry, MaskingStore, type QuarantinePolicy, RelayService } from '@maskline/masking';
import type { RedisClient } from '@maskline/queues';
import { DeliveryQueues, type JobLockConfig, jobRecoveryOptions } from '@maskline/queues';
import type { MessageRepository } from '@maskline/storage';
import type pg from 'pg';
import type { DependencyContainer } from 'tsyringe';
import type { MaskingRelayConfig } from './masking-config.js';
import { MaskingRelay } from './masking-relay.js';

export function quarantinePolicy(config: Readonly<MaskingRelayConfig>): QuarantinePolicy {
  return config.MASKING_QUARANTINE_POLICY === 'auto_reply'
    ? { kind: 'auto_reply', text: config.MASKING_QUARANTINE_REPLY }
    : { kind: 'drop' };
}

/** The relay for the inbound processor, built from the container (vault by TOKENS.Vault). */
export function createMaskingRelay(
  c: DependencyContainer,
  config: Readonly<MaskingRelayConfig>,
): MaskingRelay {
  const store = new MaskingStore(c.resolve<pg.Pool>(TOKENS.PgPool));
  return new MaskingRelay(
    new RelayService(store, c.resolve<Vault>(TOKENS.Vault), quarantinePolicy(config)),
    c.resolve<MessageRepository>(TOKENS.MessageRepository),
    new DeliveryQueues({ connection: c.resolve<RedisClient>(TOKENS.Redis), prefix: config.QUEUE_PREFIX }),
    c.resolve<Logger>(TOKENS.Logger),
  );
}

/** Starts session expiry: the delayed-job worker and the sweeper. Returns its stop function. */
export function startMaskingExpiry(
  c: DependencyContainer,
  config: Readonly<MaskingRelayConfig & JobLockConfig>,
): () => Promise<void> {
  const expiry = new MaskingExpiry(
    new MaskingStore(c.resolve<pg.Pool>(TOKENS.PgPool)),
    { quarantineMs: config.MASKING_QUARANTINE_MS, lowWatermark: config.MASKING_LOW_WATERMARK },
    c.resolve<Logger>(TOKENS.Logger),
    config.MASKING_SWEEP_INTERVAL_MS,
  );
  expiry.startWorker(c.resolve<RedisClient>(TOKENS.Redis), config.QUEUE_PREFIX, {
    recovery: jobRecoveryOptions(config),
  });
  expiry.startSweeper();
  return () => expiry.stop();
}
