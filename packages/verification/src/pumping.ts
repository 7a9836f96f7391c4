import { countryOf } from '@maskline/core';

/**
 * SMS-pumping defence without I/O (docs/verifications.md#sms-pumping): which number range a
 * destination falls in, and whether a range's counts in the current window look like
 * pumping (many codes sent, almost none checked right).
 */

/** The detector's knobs; VERIFICATION_PUMPING_* in the ingest's configuration. */
export interface PumpingThresholds {
  /** Sends (new verifications and resends) a range needs in a window before it is judged; 0 = off. */
  minSends: number;
  /** Approvals / sends below this (0..1) block the range. */
  minCompletionRate: number;
  /** How long a counting window lasts (fixed: it starts with its first send). */
  windowMs: number;
  /** How long a block lasts. */
  blockMs: number;
  /** Trailing digits of the number left out of its range (3 = ranges of 1,000 numbers). */
  rangeDigits: number;
}

export const DEFAULT_PUMPING_THRESHOLDS: Readonly<PumpingThresholds> = {
  minSends: 20,
  minCompletionRate: 0.1,
  windowMs: 60 * 60_000,
  blockMs: 60 * 60_000,
  rangeDigits: 4,
};

export const MIN_RANGE_DIGITS = 2;
export const MAX_RANGE_DIGITS = 6;

/** A number range: an E.164 number without its last digits, and its country (null: none, e.g. +800). */
export interface NumberRange {
  prefix: string;
  country: string | null;
}

/**
 * The range of an E.164 number: `+447946001234` with 4 range digits is `+44794600`. At least
 * the `+`, and 4 digits stay, so a short number still has a range of its own.
 */
export function numberRange(e164: string, rangeDigits: number): NumberRange {
  const keep = Math.max(5, e164.length - rangeDigits);
  return { prefix: e164.slice(0, keep), country: countryOf(e164) };
}

/** What one range sent and got checked right in the current window. */
export interface RangeCounts {
  sends: number;
  approvals: number;
}

export type PumpingVerdict = { block: false } | { block: true; completionRate: number };

/**
 * Judges a range after a send: block it when at least `minSends` codes went to it in the
 * window and fewer than `minCompletionRate` of them were checked right. Codes still in
 * flight count as not completed, so a legitimate range needs `minSends` high enough that
 * its users' typing delay does not matter (docs: choosing thresholds).
 */
export function pumpingVerdict(
  counts: RangeCounts,
  t: Pick<PumpingThresholds, 'minSends' | 'minCompletionRate'>,
): PumpingVerdict {
  if (t.minSends <= 0 || counts.sends < t.minSends) return { block: false };
  const completionRate = Math.min(1, counts.approvals / counts.sends);
  return completionRate < t.minCompletionRate ? { block: true, completionRate } : { block: false };
}
