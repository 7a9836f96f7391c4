import type { Tracer } from '@opentelemetry/api';
import type { z } from 'zod';
import type { Logger } from '../logging/logger.js';
import type { Clock } from '../time/clock.js';
import type { CarrierEventSink } from './carrier-events.js';

/**
 * The carrier plugin contract. A plugin speaks one protocol to one kind of carrier. It
 * knows nothing of queues or databases: the host gives it a small context and calls it.
 * Errors thrown from submit() must be MasklineErrors with a carrier_* code (the host
 * normalizes anything else to plugin_failure).
 */
export type CarrierProtocol = 'smpp' | 'http';

export interface CarrierCapabilities {
  deliveryReceipts: boolean;
  inbound: boolean;
  unicode: boolean;
  concatenation: boolean;
}

export interface SubmitRequest {
  /** Maskline's message id, for correlation in the plugin's own logs. */
  messageId: string;
  /** Clear destination (E.164), decrypted just in time by the host. */
  to: string;
  /** Clear sender: E.164 or an alphanumeric sender id. */
  from: string;
  body: string;
  requestReceipt: boolean;
}

export interface SubmitResult {
  /** The carrier's id for the message; receipts are correlated by it. */
  carrierMessageId: string;
  /** Every carrier id when the message went out in several parts (first = carrierMessageId). */
  partIds: string[];
  segments: number;
}

export interface SubmitOptions {
  /** Aborted when the host gives up waiting (shutdown, job timeout). */
  signal?: AbortSignal;
}

export type CarrierHealthStatus = 'up' | 'degraded' | 'down';

export interface CarrierHealth {
  status: CarrierHealthStatus;
  /** Client-safe detail, e.g. "2/2 binds up". */
  detail?: string;
}

export interface CarrierPlugin {
  /** Connect to the carrier. Resolves once the plugin can accept submits, or rejects. */
  start(): Promise<void>;
  submit(request: SubmitRequest, options?: SubmitOptions): Promise<SubmitResult>;
  health(): CarrierHealth;
  /** Stop taking submits, drain what is in flight, disconnect. */
  close(): Promise<void>;
  /**
   * Submits the plugin can have outstanding at once over all its links (SMPP: window ×
   * transmitting binds). The host loads only a few times this many messages ahead of it.
   */
  readonly inFlightLimit?: number;
}

export interface PluginContext {
  /** The configured carrier's id (e.g. "sim"), not the plugin's id. */
  carrierId: string;
  logger: Logger;
  tracer: Tracer;
  clock: Clock;
  events: CarrierEventSink;
}

export interface CarrierPluginDefinition<TConfig = unknown> {
  /** The plugin's id, e.g. "smpp". */
  id: string;
  version: string;
  protocol: CarrierProtocol;
  /** Validates the carrier's configuration; create() gets the parsed value. */
  configSchema: z.ZodType<TConfig>;
  capabilities: CarrierCapabilities;
  create(ctx: PluginContext, config: TConfig): CarrierPlugin;
}

/** Declare a carrier plugin. The host keeps no list of plugins: apps import them by name. */
export function defineCarrierPlugin<TConfig>(
  definition: CarrierPluginDefinition<TConfig>,
): CarrierPluginDefinition<TConfig> {
  return Object.freeze({ ...definition, capabilities: Object.freeze({ ...definition.capabilities }) });
}
