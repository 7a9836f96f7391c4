import { z } from 'zod';
import { RECEIPT_ID_RADIX } from './message-id.js';
import { parseStatusKey, SUBMIT_STATUS_CLASSES, statusHex } from './submit-status.js';

export const BIND_MODES = ['transceiver', 'transmitter-receiver'] as const;
export const LONG_MESSAGE_MODES = ['udh8', 'udh16', 'sar', 'payload'] as const;

/**
 * Configuration of one SMPP carrier (the `config` object of a carrier in the carriers
 * file). Only host and systemId are required; every other field has a default that suits
 * a typical SMPP 3.4 SMSC. The password is not config but a secret (smppPasswordSchema).
 * Lengths follow SMPP 3.4 (system_id 16, password 9, system_type 13 octets, each
 * including the terminating NUL). Durations are milliseconds.
 */
const ton = z.number().int().min(0).max(6);
const npi = z.number().int().min(0).max(18);
const ms = (min: number) => z.number().int().min(min);
const ascii = /^[\x20-\x7e]*$/;

/**
 * submit_sm_resp statuses moved to another class for this carrier: key = an SMPP name
 * ("ESME_RSUBMITFAIL") or hex ("0x45" / "0x00000045"), value = throttled,
 * invalid_destination, rejected or transient. A bad key is reported under its own path.
 */
const submitStatusOverrides = z
  .record(z.string(), z.enum(SUBMIT_STATUS_CLASSES))
  .superRefine((overrides, ctx) => {
    const keyOf = new Map<number, string>();
    for (const [key, statusClass] of Object.entries(overrides)) {
      const status = parseStatusKey(key);
      if (status === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `"${key}" is not an SMPP command_status: use a name such as ESME_RSUBMITFAIL or hex such as 0x45 (not ESME_ROK)`,
        });
        continue;
      }
      const other = keyOf.get(status);
      if (other !== undefined && overrides[other] !== statusClass) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `"${key}" and "${other}" both name ${statusHex(status)} with different classes`,
        });
      }
      keyOf.set(status, key);
    }
  });

/**
 * The bind password, the plugin's `password` secret: at most 8 printable ASCII characters
 * (SMPP 3.4). The messages name the rule, never the value.
 */
export const smppPasswordSchema = z
  .string()
  .max(8, 'must be at most 8 characters (SMPP 3.4)')
  .regex(ascii, 'must be printable ASCII');

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
    systemType: z.string().max(12).regex(ascii).default(''),
    /**
     * `transceiver`: one bind_transceiver connection per bind slot. `transmitter-receiver`:
     * a bind_transmitter (submits) plus a bind_receiver (receipts, MO) per slot, for SMSCs
     * without bind_transceiver.
     */
    bindMode: z.enum(BIND_MODES).default('transceiver'),
    /** Bind slots; submits go round-robin over the bound ones that can transmit. */
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
    /**
     * How a body longer than one segment goes out: `udh8` (default) / `udh16` split it into
     * parts with a concatenation UDH (8- or 16-bit reference, esm_class 0x40), `sar` into
     * parts with the sar_* TLVs, `payload` whole in one message_payload TLV.
     */
    longMessages: z.enum(LONG_MESSAGE_MODES).default('udh8'),
    /**
     * ESME_RTHROTTLED / ESME_RMSGQFUL: resend the same submit this often before failing it
     * (carrier_throttled). Only its first throttling answer slows the bind down.
     */
    throttleRetries: z.number().int().min(0).max(100).default(8),
    /** First pause after a throttling answer; doubles per consecutive one up to throttlePauseMaxMs. */
    throttlePauseMinMs: ms(0).default(50),
    throttlePauseMaxMs: ms(0).default(2000),
    /** A slowed-down window grows back by itself: windowSize slots per this long without throttling. */
    throttleRecoveryMs: ms(1).default(5000),
    /** Move submit statuses to another class for this carrier (see submitStatusOverrides above). */
    submitStatusOverrides: submitStatusOverrides.default({}),
    /** Wait this long for the missing parts of a multipart MO message. */
    moReassemblyTimeoutMs: ms(1).default(120_000),
    /** When parts are still missing at the timeout: `publish` what arrived (gaps marked) or `drop`. */
    moIncomplete: z.enum(['publish', 'drop']).default('publish'),
    /** Put where a part is missing when an incomplete MO message is published. */
    moMissingPartMarker: z.string().max(20).default('[…]'),
    /** Multipart MO messages held at once; beyond this the oldest is finished early. */
    moMaxPending: z.number().int().min(1).max(1_000_000).default(10_000),
    /** Longest PDU accepted from the SMSC (command_length); longer resets the link. */
    maxPduOctets: z.number().int().min(64).max(1_048_576).default(16_384),
    /** A PDU whose bytes stop arriving part-way is given this long before the link is reset. */
    pduReadTimeoutMs: ms(1).default(10_000),
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
  })
  .refine((config) => config.throttlePauseMaxMs >= config.throttlePauseMinMs, {
    path: ['throttlePauseMaxMs'],
    message: 'must be at least throttlePauseMinMs',
  });
