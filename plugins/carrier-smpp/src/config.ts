import { z } from 'zod';

/**
 * Configuration of one SMPP carrier. Only host, systemId and password are required; every
 * other field has a default that suits a typical SMPP 3.4 SMSC. Lengths follow SMPP 3.4
 * (system_id 16, password 9, system_type 13 octets including the terminating NUL).
 */
const ton = z.number().int().min(0).max(6);
const npi = z.number().int().min(0).max(18);
const ms = (min: number) => z.number().int().min(min);

export const smppConfigSchema = z.object({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65_535).default(2775),
  systemId: z.string().min(1).max(15),
  password: z.string().max(8),
  systemType: z.string().max(12).default(''),
  /** Transceiver binds (TCP connections) to open; submits go round-robin over bound ones. */
  binds: z.number().int().min(1).max(32).default(1),
  /** Outstanding requests (awaiting a response) allowed per bind. */
  windowSize: z.number().int().min(1).max(1000).default(10),
  /** Submits allowed to wait for a window slot per bind; more are refused at once. */
  maxQueuedSubmits: z.number().int().min(0).default(1000),
  requestTimeoutMs: ms(1).default(10_000),
  enquireLinkIntervalMs: ms(1).default(30_000),
  enquireLinkTimeoutMs: ms(1).default(10_000),
  reconnectMinMs: ms(0).default(500),
  reconnectMaxMs: ms(0).default(30_000),
  connectTimeoutMs: ms(1).default(5000),
  /** Bound on close(): draining the window, then waiting for unbind_resp. */
  closeTimeoutMs: ms(0).default(5000),
  /** Alphanumeric sender id (e.g. "Maskline"): TON 5 (alphanumeric), NPI 0 (unknown). */
  sourceTonAlphanumeric: ton.default(5),
  sourceNpiAlphanumeric: npi.default(0),
  /** Sender given as "+digits" (E.164): TON 1 (international), NPI 1 (ISDN/E.164). */
  sourceTonInternational: ton.default(1),
  sourceNpiInternational: npi.default(1),
  /** Sender given as bare digits (e.g. a short code): TON 0 (unknown), NPI 1 (ISDN). */
  sourceTonNumeric: ton.default(0),
  sourceNpiNumeric: npi.default(1),
  /** Destination (always E.164, sent without the "+"). */
  destTon: ton.default(1),
  destNpi: npi.default(1),
});

/** The parsed configuration (every default filled in). */
export type SmppConfig = z.output<typeof smppConfigSchema>;
/** The configuration as written by an operator (defaults optional). */
export type SmppConfigInput = z.input<typeof smppConfigSchema>;

export interface SmppAddress {
  addr: string;
  ton: number;
  npi: number;
}

/** How a Maskline sender maps onto source_addr / TON / NPI. */
export function sourceAddress(from: string, config: SmppConfig): SmppAddress {
  if (/^\+\d+$/.test(from)) {
    return { addr: from.slice(1), ton: config.sourceTonInternational, npi: config.sourceNpiInternational };
  }
  if (/^\d+$/.test(from)) {
    return { addr: from, ton: config.sourceTonNumeric, npi: config.sourceNpiNumeric };
  }
  return { addr: from, ton: config.sourceTonAlphanumeric, npi: config.sourceNpiAlphanumeric };
}

export function destinationAddress(to: string, config: SmppConfig): SmppAddress {
  return { addr: to.startsWith('+') ? to.slice(1) : to, ton: config.destTon, npi: config.destNpi };
}
