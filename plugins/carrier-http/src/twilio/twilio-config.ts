import { z } from 'zod';
import { DEFAULT_DRAIN_TIMEOUT_MS } from '../http-plugin-base.js';

/** A Twilio carrier's config (the auth token is the `authToken` secret, never here). */
export const twilioConfigSchema = z
  .object({
    /** The API's base URL; another only for a regional edge or a local fake. */
    baseUrl: z
      .url({ protocol: /^https?$/ })
      .transform((url) => url.replace(/\/+$/, ''))
      .default('https://api.twilio.com'),
    /** The account the messages are sent from ("AC…"); also the Basic auth user. */
    accountSid: z.string().regex(/^AC[0-9A-Za-z]{32}$/),
    /** Ask Twilio for status callbacks (needs the worker's callback server). */
    statusCallbacks: z.boolean().default(true),
    /** Bound on one send; the host's SUBMIT_TIMEOUT_MS when absent. */
    requestTimeoutMs: z.number().int().positive().optional(),
    /** How long close() waits for the sends in flight before aborting them. */
    drainTimeoutMs: z.number().int().positive().default(DEFAULT_DRAIN_TIMEOUT_MS),
  })
  .strict();

export type TwilioConfig = z.infer<typeof twilioConfigSchema>;
