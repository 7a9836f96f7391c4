import type { Tracer } from '@opentelemetry/api';
import type { z } from 'zod';
import type { Logger } from '../logging/logger.js';
import type { Clock } from '../time/clock.js';
import type { CarrierEvent, CarrierEventSink } from './carrier-events.js';

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
  /** The tenant the message belongs to (account-scoped carriers, per-tenant sender pools). */
  tenantId: string;
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
  /**
   * Down here by design: every connection slot of the carrier is held by other processes
   * (see SlotLeases). The host takes none of its jobs here and does not report it down.
   */
  standby?: boolean;
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
  /**
   * The values of the secrets the plugin declares (`definition.secrets`), resolved by the
   * host from environment variables or files named in the carriers file: never inline.
   */
  secrets: Readonly<Record<string, string>>;
  /** An HTTP client with the host's timeouts and tracing; plugins use it, not fetch(). */
  http: PluginHttpClient;
  /**
   * The carrier's public callback base URL (`{CARRIER_CALLBACK_BASE_URL}/carriers/{carrierId}`),
   * without a trailing slash, when the host serves callbacks; a plugin registers its
   * status/inbound URLs below it.
   */
  callbackUrl?: string;
  /**
   * Cross-process ownership of the carrier's connection slots (SMPP binds), when the host
   * shares one carrier between several processes. Absent: this process owns every slot.
   */
  slots?: SlotLeases;
}

/**
 * A carrier's connection slots (e.g. its SMPP binds, numbered 0..count-1) leased across
 * every process that runs the carrier: a process opens a slot's connection only while it
 * holds the slot, so the carrier never sees more than `count` of them (docs/scaling.md).
 */
export interface SlotLeases {
  /**
   * Competes for `count` slots until the hold is released. Resolves after the first round,
   * with `acquired` already called for every slot taken in it.
   */
  hold(count: number, listener: SlotListener): Promise<SlotHold>;
}

export interface SlotListener {
  /** This process holds `slot` now: open its connection. */
  acquired(slot: number): void;
  /**
   * This process no longer holds `slot` (lost, overdue, or given up for another process):
   * close its connection at once, within the hold's `letGoWithinMs`. A slot given up for
   * another process is deleted once the returned promise settles (or that time passed).
   */
  lost(slot: number): void | Promise<void>;
}

export interface SlotHold {
  /** The slots held now. */
  readonly held: ReadonlySet<number>;
  /** How long a `lost` slot's connection may take to close before another process may open it. */
  readonly letGoWithinMs: number;
  /** Stops competing and gives back every held slot (call after closing their connections). */
  release(): Promise<void>;
}

export interface PluginHttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Readonly<Record<string, string>>;
  body?: string | Buffer;
  /** Bound on the whole exchange; the host's default applies when absent. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface PluginHttpResponse {
  status: number;
  headers: Readonly<Record<string, string>>;
  /** The answer's body as text, cut at the host's response limit. */
  body: string;
}

export interface PluginHttpClient {
  /**
   * Resolves with any HTTP status; rejects with a MasklineError `carrier_timeout` when the
   * time runs out and `carrier_unavailable` when no connection could be made.
   */
  request(request: PluginHttpRequest): Promise<PluginHttpResponse>;
}

/** A secret the plugin needs (a password, an API token); its value never sits in config. */
export interface CarrierSecretSpec {
  description: string;
  /** Absent secrets are an error unless optional. */
  optional?: boolean;
  /**
   * Checks the value at boot (e.g. a length limit). The host reports a failure naming the
   * carrier and the secret with the schema's message: that message must not quote the value.
   */
  schema?: z.ZodType<string>;
}

/** A carrier's HTTP callback as the host received it. */
export interface CarrierCallbackRequest {
  method: string;
  /** The public URL the carrier called (base URL + path + query): some schemes sign it. */
  url: string;
  /** The path below `/carriers/{carrierId}`, e.g. "/status". */
  path: string;
  /** Lower-cased header names. */
  headers: Readonly<Record<string, string | undefined>>;
  /** The body exactly as received (signatures are over raw bytes). */
  rawBody: Buffer;
}

export interface CarrierCallbackVerdict {
  valid: boolean;
  /** When the carrier signed it, if the scheme carries a time: the host enforces its replay window. */
  signedAt?: Date;
}

/** What the host answers the carrier once the events are durable (default: 204, empty). */
export interface CarrierCallbackAnswer {
  status: number;
  contentType?: string;
  body?: string;
}

/**
 * An HTTP callback route a plugin declares (delivery receipts, inbound SMS). The host
 * owns HTTP: it mounts the route under `/carriers/{carrierId}{path}`, enforces a body
 * limit and the replay window, calls verify() then parse(), makes every event durable,
 * and only then answers 2xx. A refused signature is a 401; a parse error a 400.
 */
export interface CarrierCallbackRoute {
  method: 'POST' | 'GET';
  /** Starts with "/", e.g. "/status". */
  path: string;
  verify(request: CarrierCallbackRequest): CarrierCallbackVerdict | Promise<CarrierCallbackVerdict>;
  parse(request: CarrierCallbackRequest): CarrierEvent[];
  /** The answer after the events are durable (e.g. an empty TwiML document). */
  answer?: CarrierCallbackAnswer;
}

/** What callbacks() gets: no event sink (the host publishes what parse() returns). */
export interface CallbackContext {
  carrierId: string;
  logger: Logger;
  secrets: Readonly<Record<string, string>>;
  callbackUrl?: string;
}

export interface CarrierPluginDefinition<TConfig = unknown> {
  /** The plugin's id, e.g. "smpp". */
  id: string;
  version: string;
  protocol: CarrierProtocol;
  /** Validates the carrier's configuration; create() gets the parsed value. */
  configSchema: z.ZodType<TConfig>;
  capabilities: CarrierCapabilities;
  /** Secrets by name; the carriers file says where each value comes from. */
  secrets?: Readonly<Record<string, CarrierSecretSpec>>;
  create(ctx: PluginContext, config: TConfig): CarrierPlugin;
  /**
   * The HTTP callback routes of a carrier that reports receipts or inbound SMS by HTTP.
   * Called once per configured carrier by the host that serves callbacks; the routes work
   * without a started plugin (any process can verify and parse a callback).
   */
  callbacks?(ctx: CallbackContext, config: TConfig): CarrierCallbackRoute[];
}

/** Declare a carrier plugin. The host keeps no list of plugins: apps import them by name. */
export function defineCarrierPlugin<TConfig>(
  definition: CarrierPluginDefinition<TConfig>,
): CarrierPluginDefinition<TConfig> {
  return Object.freeze({
    ...definition,
    capabilities: Object.freeze({ ...definition.capabilities }),
    ...(definition.secrets ? { secrets: Object.freeze({ ...definition.secrets }) } : {}),
  });
}
