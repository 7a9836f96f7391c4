import { MasklineError } from '@maskline/core';
import type { z } from 'zod';

/**
 * Zod's issue for a field names the path only; the value never reaches the message.
 * Phone numbers are validated later by parseE164 (error `invalid_phone_number`).
 */
export function invalid(error: z.ZodError): MasklineError {
  const issue = error.issues[0];
  const field =
    issue?.path.map(String).join('.') || (issue?.code === 'unrecognized_keys' ? issue.keys[0] : '') || 'body';
  const message =
    issue?.code === 'unrecognized_keys'
      ? `Unknown field: ${String(issue.keys[0]).slice(0, 40)}.`
      : `${field} is invalid.`;
  return new MasklineError('invalid_request', { message, details: { field: String(field).slice(0, 40) } });
}

export function object(input: unknown): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new MasklineError('invalid_request', { message: 'The request body must be a JSON object.' });
  }
  return input as Record<string, unknown>;
}
