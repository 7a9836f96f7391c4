/**
 * Candidate tokens for a code: runs of 4-8 digits, digits split 3-3 by a hyphen or a
 * space ("123-456"), and 4-10 character letter+digit runs ("A7K9Q2"). A token glued to
 * other digits by `-./:` (dates, times, phone numbers, amounts) or to letters is no
 * candidate, nor is one followed by a unit or preceded by a currency or an order word.
 */
import { BLOCKER_BEFORE, CURRENCY_BEFORE, UNIT_AFTER } from './keywords.js';

export type CandidateShape = 'digits' | 'split-digits' | 'alphanumeric';

export interface Candidate {
  /** The code as returned: digits joined for the split shape. */
  readonly code: string;
  readonly start: number;
  readonly end: number;
  readonly shape: CandidateShape;
}

/** Either a 3-3 split pair or one run of ASCII letters and digits. */
const TOKEN = /\d{3}[- ]\d{3}(?!\d)|[A-Za-z0-9]+/gu;
const HAS_DIGIT = /\d/u;
const HAS_LETTER = /[A-Za-z]/u;
/** Looked at around a token; windows stay short so every check is bounded. */
const LOOK_BEHIND = 18;
const LOOK_AHEAD = 12;

function glued(text: string, start: number, end: number): boolean {
  const before = text.slice(Math.max(0, start - 2), start);
  const after = text.slice(end, end + 2);
  // *: masked digits (138****1234); #: "#5678"; +: "+86..."
  if (/[*#+]$/u.test(before) || /^\*/u.test(after)) return true;
  // Part of a link: "v.whatsapp.com/123456", "?id=482913"
  if (/[/=?&]$/u.test(before) || /^[/=?&]/u.test(after)) return true;
  if (/\d[-./:,]$/u.test(before)) return true;
  if (/^[-./:]\d/u.test(after)) return true;
  if (/^,\d{3}(?!\d)/u.test(text.slice(end, end + 5))) return true;
  // European decimals next to a currency: "1234,56 €"
  if (/^,\d{1,2}\s?(?:€|eur|\$|₽|руб|r\$|reais)/iu.test(text.slice(end, end + 10))) return true;
  return false;
}

function labelledAsSomethingElse(text: string, start: number, end: number): boolean {
  if (UNIT_AFTER.test(text.slice(end, end + LOOK_AHEAD))) return true;
  const behind = text.slice(Math.max(0, start - LOOK_BEHIND), start);
  return CURRENCY_BEFORE.test(behind);
}

/** A blocker word right before the token ("订单号", "order #"); checked by the scorer. */
export function blockerEndsAt(text: string, start: number): boolean {
  return BLOCKER_BEFORE.test(text.slice(Math.max(0, start - LOOK_BEHIND), start));
}

export function findCandidates(text: string): Candidate[] {
  const out: Candidate[] = [];
  TOKEN.lastIndex = 0;
  for (let match = TOKEN.exec(text); match !== null; match = TOKEN.exec(text)) {
    const token = match[0];
    const start = match.index;
    const end = start + token.length;
    let shape: CandidateShape;
    let code = token;
    if (token.length === 7 && (token[3] === '-' || token[3] === ' ')) {
      shape = 'split-digits';
      code = token.slice(0, 3) + token.slice(4);
    } else if (/^\d+$/u.test(token)) {
      if (token.length < 4 || token.length > 8) continue;
      shape = 'digits';
    } else if (HAS_DIGIT.test(token) && HAS_LETTER.test(token) && token.length >= 4 && token.length <= 10) {
      shape = 'alphanumeric';
    } else {
      continue;
    }
    // A digit run must not touch letters ("ABC1234", "5000mAh"); "G-123456" is fine.
    if (shape !== 'alphanumeric') {
      if (/[A-Za-z]$/u.test(text.slice(Math.max(0, start - 1), start))) continue;
      if (/^[A-Za-z]/u.test(text.slice(end, end + 1))) continue;
    }
    if (glued(text, start, end) || labelledAsSomethingElse(text, start, end)) continue;
    out.push({ code, start, end, shape });
  }
  return out;
}
