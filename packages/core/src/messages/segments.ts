import { GSM7_BASIC, GSM7_ESCAPE, GSM7_EXTENSION } from './gsm-alphabet.js';

/**
 * SMS segment counting. GSM 03.38 default alphabet (with the extension table counting
 * two septets) when every character fits, UCS-2 otherwise.
 * 160 septets in one segment, 153 per part when concatenated; UCS-2: 70 / 67. The count is
 * the number of parts splitSegments cuts, which carriers send: never units / 153 rounded up.
 */
// A literal ESC in a body is not text: it is not encodable as GSM-7 (it would start an
// extension sequence), so such a body goes as UCS-2.
const basic = new Set([...GSM7_BASIC].filter((ch) => ch.charCodeAt(0) !== GSM7_ESCAPE));
const extension = new Set(GSM7_EXTENSION.map(([ch]) => ch));

export type SmsEncoding = 'gsm7' | 'ucs2';

export interface SegmentInfo {
  encoding: SmsEncoding;
  /** Septets for GSM-7, UTF-16 code units for UCS-2. */
  units: number;
  segments: number;
}

export function gsm7Length(text: string): number | null {
  let units = 0;
  for (const ch of text) {
    if (basic.has(ch)) units += 1;
    else if (extension.has(ch)) units += 2;
    else return null;
  }
  return units;
}

/** Units one part of a concatenated message holds (septets for GSM-7, UTF-16 units for UCS-2). */
export interface PartCapacity {
  gsm7: number;
  ucs2: number;
}

/** One unconcatenated message: 160 septets / 70 UCS-2 units. */
export const SINGLE_SEGMENT: PartCapacity = { gsm7: 160, ucs2: 70 };
/** A part under the 6-octet UDH with an 8-bit reference (the common case; SMPP udh8 and sar). */
export const UDH8_PART: PartCapacity = { gsm7: 153, ucs2: 67 };
/** A part under the 7-octet UDH with a 16-bit reference (SMPP udh16). */
export const UDH16_PART: PartCapacity = { gsm7: 152, ucs2: 66 };

export interface SegmentParts {
  encoding: SmsEncoding;
  /** The text of each part, in order; concatenated they are the text. */
  parts: string[];
}

/**
 * The one place a body is cut into the parts a carrier sends (the ingest counts them with
 * segmentInfo, the SMPP plugin sends them). A part never splits a character: a GSM
 * extension character (ESC + code, two septets) and a UCS-2 surrogate pair (an emoji, two
 * units) stay whole, so a part may hold one unit less than `capacity` and the count can
 * exceed units / capacity (766 emoji = 1532 units: 24 parts of at most 33 emoji, not 23).
 */
export function splitSegments(text: string, capacity: PartCapacity = UDH8_PART): SegmentParts {
  const septets = gsm7Length(text);
  const encoding: SmsEncoding = septets === null ? 'ucs2' : 'gsm7';
  const ends = partEnds(text, encoding, septets ?? text.length, capacity);
  const parts: string[] = [];
  let start = 0;
  for (const end of ends) {
    parts.push(text.slice(start, end));
    start = end;
  }
  return { encoding, parts };
}

/** The UTF-16 index where each part ends (one part when the text fits a single segment). */
function partEnds(text: string, encoding: SmsEncoding, units: number, capacity: PartCapacity): number[] {
  const single = encoding === 'gsm7' ? SINGLE_SEGMENT.gsm7 : SINGLE_SEGMENT.ucs2;
  const max = encoding === 'gsm7' ? capacity.gsm7 : capacity.ucs2;
  if (units <= single) return [text.length];
  const ends: number[] = [];
  let used = 0;
  let index = 0;
  for (const ch of text) {
    const cost = encoding === 'gsm7' ? (basic.has(ch) ? 1 : 2) : ch.length;
    if (used + cost > max) {
      ends.push(index);
      used = 0;
    }
    used += cost;
    index += ch.length;
  }
  ends.push(index);
  return ends;
}

/** The encoding, its units, and the number of parts splitSegments makes (UDH8 parts). */
export function segmentInfo(text: string): SegmentInfo {
  const septets = gsm7Length(text);
  const encoding: SmsEncoding = septets === null ? 'ucs2' : 'gsm7';
  const units = septets ?? text.length;
  return { encoding, units, segments: partEnds(text, encoding, units, UDH8_PART).length };
}
