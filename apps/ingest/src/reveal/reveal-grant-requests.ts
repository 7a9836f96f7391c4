import { MasklineError } from '@maskline/core';
import type { RevealGrantState } from '@maskline/storage';

export interface RevealGrantRequest {
  reason: string;
  durationMinutes: number;
}

const invalid = (field: string, message: string) =>
  new MasklineError('invalid_request', { message, details: { field } });

/** `{"reason": "...", "durationMinutes": 15}`: why (printable, 3–200 chars) and for how long (1–60 min). */
export function parseRevealGrantRequest(body: unknown): RevealGrantRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid('body', 'The body must be a JSON object with reason and durationMinutes.');
  }
  const { reason, durationMinutes = 15, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw invalid(unknown.slice(0, 40), 'Unknown field.');
  if (typeof reason !== 'string' || !/^[\x20-\x7e\u00a0-\uffff]{3,200}$/u.test(reason.trim())) {
    throw invalid('reason', 'reason must be 3 to 200 printable characters (a ticket or case reference).');
  }
  if (
    typeof durationMinutes !== 'number' ||
    !Number.isInteger(durationMinutes) ||
    durationMinutes < 1 ||
    durationMinutes > 60
  ) {
    throw invalid('durationMinutes', 'durationMinutes must be a whole number from 1 to 60.');
  }
  // The reason is stored and shown to approvers and in the audit log: never a number.
  if (/\d[\d\s().-]{5,}\d/.test(reason)) {
    throw invalid('reason', 'reason must not contain a phone number: name the ticket or case instead.');
  }
  return { reason: reason.trim(), durationMinutes };
}

/** `{"fourEyes": true|false}`. */
export function parseRevealPolicy(body: unknown): { fourEyes: boolean } {
  const fourEyes = (body as { fourEyes?: unknown } | null)?.fourEyes;
  if (
    typeof body !== 'object' ||
    body === null ||
    Object.keys(body).length !== 1 ||
    typeof fourEyes !== 'boolean'
  ) {
    throw invalid('fourEyes', 'The body must be {"fourEyes": true} or {"fourEyes": false}.');
  }
  return { fourEyes };
}

const STATES: readonly RevealGrantState[] = ['pending', 'active', 'denied'];

export function parseRevealGrantState(value: unknown): RevealGrantState | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (STATES as readonly string[]).includes(value))
    return value as RevealGrantState;
  throw invalid('state', 'state must be pending, active or denied.');
}
