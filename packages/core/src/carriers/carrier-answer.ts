import type { MasklineError } from '../errors/maskline-error.js';

/**
 * What the carrier itself answered to a submit, in its own terms: for SMPP the
 * command_status as hex ("0x00000045") and its name ("ESME_RSUBMITFAIL"); for an HTTP
 * provider its error code and text. Plugins attach it to the MasklineError they throw
 * (carrierAnswerDetails); the host keeps the last one on the message so a final error
 * says what the carrier said. Never carries a number, body or code.
 */
export interface CarrierAnswer {
  code: string;
  name?: string;
}

const CODE_KEY = 'carrierStatusCode';
const NAME_KEY = 'carrierStatusName';

/** The `details` entries that carry a carrier's answer on a MasklineError. */
export function carrierAnswerDetails(answer: CarrierAnswer): Record<string, string> {
  return answer.name === undefined
    ? { [CODE_KEY]: answer.code }
    : { [CODE_KEY]: answer.code, [NAME_KEY]: answer.name };
}

/** The carrier's answer a plugin attached to an error, if any. */
export function carrierAnswerOf(error: MasklineError): CarrierAnswer | undefined {
  const code = error.details?.[CODE_KEY];
  if (typeof code !== 'string' || code.length === 0) return undefined;
  const name = error.details?.[NAME_KEY];
  return typeof name === 'string' && name.length > 0 ? { code, name } : { code };
}
