/**
 * Reads a one-time code and the sender's brand out of an SMS. Pure string work: no I/O,
 * no logging, linear-time patterns. See docs/verification-codes.md for the approach and
 * its limits.
 */
import { findBrandInWording, findBrandTag } from './brand.js';
import { blockerEndsAt, type Candidate, type CandidateShape, findCandidates } from './candidates.js';
import { ANCHOR_PATTERN, SENTENCE_END, TIGHT_GAP, TIGHT_GAP_BEFORE } from './keywords.js';
import { blankOut, normalizeMessage } from './normalize.js';

export interface ExtractedCode {
  readonly code: string;
  readonly brand: string | null;
}

/**
 * Why a code was chosen, for debugging and metrics (never the text itself):
 * `keyword-adjacent` = right next to a code keyword ("验证码：5026", "123456 is your code");
 * `keyword-near` = within a sentence or so of one; `verb` = anchored by "use"/"enter"/"输入".
 */
export type ExtractionReason = 'keyword-adjacent' | 'keyword-near' | 'verb';

export interface ExtractedCodeDetail extends ExtractedCode {
  readonly reason: ExtractionReason;
  readonly shape: CandidateShape;
}

interface Anchor {
  readonly start: number;
  readonly end: number;
  readonly kind: 'kw' | 'verb' | 'not';
}

/** Farther than this (in characters, after penalties) from every anchor: not a code. */
const MAX_DISTANCE = 48;
const SENTENCE_PENALTY = 15;
const VERB_WEIGHT = 0.7;
const MIN_SCORE = 20;

const SHAPE_BONUS: Readonly<Record<number, number>> = { 4: 6, 5: 3, 6: 10, 7: 3, 8: 3 };

function findAnchors(text: string): Anchor[] {
  const anchors: Anchor[] = [];
  ANCHOR_PATTERN.lastIndex = 0;
  for (let m = ANCHOR_PATTERN.exec(text); m !== null; m = ANCHOR_PATTERN.exec(text)) {
    if (m[0].length === 0) {
      ANCHOR_PATTERN.lastIndex++;
      continue;
    }
    const kind = m.groups?.kw !== undefined ? 'kw' : m.groups?.verb !== undefined ? 'verb' : 'not';
    anchors.push({ start: m.index, end: m.index + m[0].length, kind });
  }
  return anchors;
}

function shapeBonus(candidate: Candidate): number {
  if (candidate.shape === 'split-digits') return 8;
  if (candidate.shape === 'alphanumeric') return 0;
  let bonus = SHAPE_BONUS[candidate.code.length] ?? 0;
  // Years and compact dates read like codes; they need a much closer anchor to win.
  if (/^(?:19|20)\d{2}$/u.test(candidate.code)) bonus -= 30;
  if (/^20\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])$/u.test(candidate.code)) bonus -= 30;
  return bonus;
}

interface Scored {
  readonly score: number;
  readonly reason: ExtractionReason;
}

/** The best anchor for a candidate, or null when none is near enough to count. */
function scoreCandidate(
  text: string,
  candidate: Candidate,
  anchors: readonly Anchor[],
  first: number,
): Scored | null {
  let best: Scored | null = null;
  for (let i = first; i < anchors.length; i++) {
    const anchor = anchors[i]!;
    if (anchor.start > candidate.end + MAX_DISTANCE) break; // sorted: the rest are farther
    if (anchor.kind === 'not') continue;
    const after = anchor.end <= candidate.start;
    if (!after && anchor.start < candidate.end) continue; // overlapping
    const gapStart = after ? anchor.end : candidate.end;
    const gapEnd = after ? candidate.start : anchor.start;
    const rawGap = gapEnd - gapStart;
    if (rawGap > MAX_DISTANCE) continue;
    const gapText = text.slice(gapStart, gapEnd);
    // A code that is not a plain run of digits must sit right after its keyword.
    if (candidate.shape === 'alphanumeric' && !(after && anchor.kind === 'kw' && TIGHT_GAP.test(gapText))) {
      continue;
    }
    // Another anchor in between (e.g. "promo code") means this one speaks of something else.
    // Anchors come sorted and disjoint, so only the neighbour on the candidate's side can be.
    const neighbour = after ? anchors[i + 1] : anchors[i - 1];
    if (neighbour !== undefined && neighbour.start >= gapStart && neighbour.end <= gapEnd) continue;
    const distance = rawGap + (SENTENCE_END.test(gapText) ? SENTENCE_PENALTY : 0);
    if (distance > MAX_DISTANCE) continue;
    const weight = anchor.kind === 'kw' ? 1 : VERB_WEIGHT;
    const score = weight * (100 - distance * 2) + (after ? 2 : 0);
    if (best === null || score > best.score) {
      const reason: ExtractionReason =
        anchor.kind === 'verb'
          ? 'verb'
          : (after ? TIGHT_GAP : TIGHT_GAP_BEFORE).test(gapText)
            ? 'keyword-adjacent'
            : 'keyword-near';
      best = { score, reason };
    }
  }
  return best;
}

/** True when an order/phone/account word sits right before the candidate (and no keyword after it). */
function blocked(text: string, candidate: Candidate): boolean {
  return blockerEndsAt(text, candidate.start);
}

/** The code and brand with the reason the code was chosen; null when the text has no code. */
export function extractVerificationCodeDetailed(text: string): ExtractedCodeDetail | null {
  if (typeof text !== 'string' || text.length === 0) return null;
  let normalized = normalizeMessage(text);
  const tag = findBrandTag(normalized);
  const brand = tag?.brand ?? findBrandInWording(normalized);
  // The tag is a name, not a sentence: blank it so "【支付宝】" is not read as "支付".
  if (tag) normalized = blankOut(normalized, tag.start, tag.end);

  const candidates = findCandidates(normalized);
  if (candidates.length === 0) return null;
  const anchors = findAnchors(normalized);
  if (!anchors.some((a) => a.kind !== 'not')) return null;

  let winner: { candidate: Candidate; score: number; reason: ExtractionReason } | null = null;
  let first = 0;
  for (const candidate of candidates) {
    if (blocked(normalized, candidate)) continue;
    // Candidates and anchors both come in text order: skip anchors that ended too far back,
    // so a long text costs candidates + anchors, not their product.
    while (first < anchors.length && anchors[first]!.end + MAX_DISTANCE < candidate.start) first++;
    const scored = scoreCandidate(normalized, candidate, anchors, first);
    if (scored === null) continue;
    const score = scored.score + shapeBonus(candidate);
    if (score < MIN_SCORE) continue;
    if (winner === null || score > winner.score) winner = { candidate, score, reason: scored.reason };
  }
  if (winner === null) return null;
  return { code: winner.candidate.code, brand, reason: winner.reason, shape: winner.candidate.shape };
}

/**
 * The one-time code in an SMS and the brand that sent it, or null when there is no code.
 * `brand` is null when the message does not name its sender in a recognised way.
 */
export function extractVerificationCode(text: string): ExtractedCode | null {
  const detail = extractVerificationCodeDetailed(text);
  return detail === null ? null : { code: detail.code, brand: detail.brand };
}
