import { GSM7_BASIC, GSM7_ESCAPE, GSM7_EXTENSION } from './gsm-alphabet.js';

/**
 * SMS segment counting. GSM 03.38 default alphabet (with the extension table counting
 * two septets) when every character fits, UCS-2 otherwise.
 * 160 septets in one segment, 153 per part when concatenated; UCS-2: 70 / 67.
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

export function segmentInfo(text: string): SegmentInfo {
  const septets = gsm7Length(text);
  if (septets !== null) {
    return { encoding: 'gsm7', units: septets, segments: septets <= 160 ? 1 : Math.ceil(septets / 153) };
  }
  const units = text.length; // UTF-16 code units
  return { encoding: 'ucs2', units, segments: units <= 70 ? 1 : Math.ceil(units / 67) };
}
