import { z } from 'zod';
import { RECEIPT_ID_RADIX } from './message-id.js';

/**
 * Configuration of one SMPP carrier (the `config` object of a CARRIERS entry). Only host,
 * systemId and password are required; every other field has a default that suits a
 * typical SMPP 3.4 SMSC. Lengths follow SMPP 3.4 (system_id 16, password 9, system_type 13
 * octets, each including the terminating NUL). Durations are milliseconds.
 */
const ton = z.number().int().min(0).max(6);
const npi = z.number().int().min(0).max(18);
const ms = (min: number) => z.number().int().min(min);
const ascii = /^[\x20-\x7e]*$/;

export const smppConfigSchema = z
  .object({
    /** SMSC host name or address. */
    host: z.string().min(1),
    /** SMSC port (plain SMPP is usually 2775, SMPP over TLS often 3550). */
    port: z.number().int().min(1).max(65_535).default(2775),
    /** Connect over TLS. The SMSC's certificate is verified unless tlsRejectUnauthorized is false. */
    tls: z.boolean().default(false),
    /** PEM certificate(s) to trust for a private SMSC certificate authority. */
    tlsCa: z.string().min(1).optional(),
    /** Verify the SMSC's TLS certificate (turn off only for a lab SMSC). */
    tlsRejectUnauthorized: z.boolean().default(true),
    systemId: z.string().min(1).max(15).regex(ascii),
    password: z.string().max(8).regex(ascii),
    systemType: z.string().max(12).regex(ascii).default(''),
    /** Only 'transceiver' for now; the field is here for a later TX/RX bind pair. */
    bindMode: z.enum(['transceiver']).default('transceiver'),
    /** Transceiver binds (TCP connections) to open; submits go round-robin over bound ones. */
    binds: z.number().int().min(1).max(32).default(1),
    /** Outstanding submit_sm (awaiting submit_sm_resp) allowed per bind. */
    windowSize: z.number().int().min(1).max(1000).default(10),
    /** Submits allowed to wait (FIFO) for a window slot per bind; more fail at once. */
    maxQueuedSubmits: z.number().int().min(0).default(1000),
    /** Deadline for any response (bind, submit_sm, unbind); a missed submit is carrier_timeout. */
    requestTimeoutMs: ms(1).default(10_000),
    /** How often to send enquire_link on a bound link. */
    enquireLinkIntervalMs: ms(1).default(30_000),
    /** No enquire_link_resp within this: the link is torn down and re-established. */
    enquireLinkTimeoutMs: ms(1).default(10_000),
    /** First reconnect delay; doubles per failed attempt up to reconnectMaxMs, 50–100 % jitter. */
    reconnectMinMs: ms(0).default(500),
    reconnectMaxMs: ms(0).default(30_000),
    /** TCP connect (and TLS handshake) deadline. */
    connectTimeoutMs: ms(1).default(5000),
    /** Bound on close(): draining the window, then waiting for unbind_resp and the socket. */
    closeTimeoutMs: ms(0).default(5000),
    /**
     * How this carrier's receipts write message ids relative to submit_sm_resp: `same`,
     * `decimal-in-receipt` (responses hex, receipts decimal) or `hex-in-receipt`. Case
     * and leading zeros are always normalised.
     */
    receiptIdRadix: z.enum(RECEIPT_ID_RADIX).default('same'),
    /** Ask for delivery receipts (registered_delivery 1) when the request wants one. */
    registeredDelivery: z.boolean().default(true),
    /**
     * Longest encoded body accepted (octets); longer is refused as carrier_rejected. SMPP's
     * own limit is 65 535 (message_payload), but many SMSCs drop the link on large PDUs, and
     * a retried message that kills the link each time would take every submit with it.
     */
    maxBodyOctets: z.number().int().min(1).max(65_535).default(8000),
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
  })
  .refine((config) => config.reconnectMaxMs >= config.reconnectMinMs, {
    path: ['reconnectMaxMs'],
    message: 'must be at least reconnectMinMs',
  });
