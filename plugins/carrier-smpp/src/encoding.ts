import {
  GSM7_BASIC,
  GSM7_ESCAPE,
  GSM7_EXTENSION,
  type PartCapacity,
  segmentInfo,
  splitSegments,
  UDH8_PART,
  UDH16_PART,
} from '@maskline/core';
import type { EncodedText, MessagePart } from './internal-types.js';
import type { SmppLongMessageMode } from './types.js';

/**
 * Text encoding for submit_sm and decoding for deliver_sm. We always hand the smpp package
 * a Buffer we encoded ourselves and set data_coding explicitly, so the package never picks
 * an encoding of its own.
 *
 * GSM 03.38 is sent unpacked (one septet per octet), as SMPP expects for data_coding 0x00.
 */
export const DATA_CODING_GSM7 = 0x00;
export const DATA_CODING_ASCII = 0x01;
export const DATA_CODING_LATIN1 = 0x03;
export const DATA_CODING_UCS2 = 0x08;

const ESC = GSM7_ESCAPE;

const basicEncode = new Map<string, number>();
for (let i = 0; i < GSM7_BASIC.length; i++) {
  // A literal ESC character in a body is not text: it must not be sent as 0x1B.
  if (i !== ESC) basicEncode.set(GSM7_BASIC[i]!, i);
}
const extensionEncode = new Map(GSM7_EXTENSION);
const extensionDecode = new Map(GSM7_EXTENSION.map(([ch, code]) => [code, ch] as const));

/** GSM 03.38 unpacked septets, or null when a character is not in the default alphabet. */
export function encodeGsm7(text: string): Buffer | null {
  const out: number[] = [];
  for (const ch of text) {
    const basic = basicEncode.get(ch);
    if (basic !== undefined) {
      out.push(basic);
      continue;
    }
    const ext = extensionEncode.get(ch);
    if (ext === undefined) return null;
    out.push(ESC, ext);
  }
  return Buffer.from(out);
}

/** UCS-2 big-endian (characters outside the BMP become UTF-16 surrogate pairs). */
export function encodeUcs2(text: string): Buffer {
  return Buffer.from(text, 'utf16le').swap16();
}

/** GSM 03.38 when every character fits, else UCS-2; segments counted as core counts them. */
export function encodeText(text: string): EncodedText {
  const { segments } = segmentInfo(text);
  const gsm = encodeGsm7(text);
  if (gsm) return { encoding: 'gsm7', dataCoding: DATA_CODING_GSM7, bytes: gsm, segments, text };
  return { encoding: 'ucs2', dataCoding: DATA_CODING_UCS2, bytes: encodeUcs2(text), segments, text };
}

/**
 * The submit_sm PDUs (body fields) for one message. A body that fits one segment (160
 * septets / 70 UCS-2 units, as @maskline/core's segmentInfo counts) goes in one
 * short_message. GSM travels unpacked over SMPP, so 160 septets take 160 octets of
 * short_message (allowed up to 254) and the SMSC packs them. A longer body, per `mode`:
 *
 * - `udh8`: one submit_sm per part, esm_class 0x40, short_message = UDH `05 00 03 ref n i`
 *   + the part. A part holds 153 septets (the 6-octet UDH takes 7 septets of the 160) or
 *   134 UCS-2 octets (67 units).
 * - `udh16`: the same with UDH `06 08 04 refHi refLo n i`: 152 septets / 132 octets (66).
 * - `sar`: one submit_sm per part with sar_msg_ref_num / sar_total_segments /
 *   sar_segment_seqnum; the SMSC builds the UDH, so parts are sized as for `udh8`.
 * - `payload`: the whole body in message_payload, short_message empty (SMPP 3.4 §5.3.2.32).
 *
 * The parts are cut by @maskline/core's splitSegments, the function the ingest counts
 * segments with, so the 202's `segments` is the number of udh8/sar parts sent. It never
 * splits a character: a GSM extension (0x1B + code) stays in one part, and so does a UCS-2
 * surrogate pair (a part can hold one unit less than the maximum). udh16's smaller parts
 * can make one part more than the count.
 */
/** Most parts a concatenated message can have (the count is one octet). */
export const MAX_PARTS = 255;

export function messageParts(
  encoded: EncodedText,
  mode: SmppLongMessageMode = 'udh8',
  reference = 0,
): MessagePart[] {
  const { dataCoding, bytes } = encoded;
  if (encoded.segments === 1) {
    return [{ esm_class: 0, data_coding: dataCoding, short_message: bytes }];
  }
  if (mode === 'payload') {
    return [
      { esm_class: 0, data_coding: dataCoding, short_message: Buffer.alloc(0), message_payload: bytes },
    ];
  }
  const capacity: PartCapacity = mode === 'udh16' ? UDH16_PART : UDH8_PART;
  const chunks = splitSegments(encoded.text, capacity).parts.map((part) =>
    encoded.encoding === 'gsm7' ? (encodeGsm7(part) ?? Buffer.alloc(0)) : encodeUcs2(part),
  );
  if (chunks.length > MAX_PARTS) {
    throw new RangeError(`A message of ${chunks.length} parts exceeds the ${MAX_PARTS}-part limit.`);
  }
  const total = chunks.length;
  return chunks.map((chunk, index) => {
    const seq = index + 1;
    if (mode === 'sar') {
      return {
        esm_class: 0,
        data_coding: dataCoding,
        short_message: chunk,
        sar_msg_ref_num: reference & 0xffff,
        sar_total_segments: total,
        sar_segment_seqnum: seq,
      };
    }
    const udh =
      mode === 'udh16'
        ? Buffer.from([0x06, 0x08, 0x04, (reference >> 8) & 0xff, reference & 0xff, total, seq])
        : Buffer.from([0x05, 0x00, 0x03, reference & 0xff, total, seq]);
    return { esm_class: ESM_UDHI, data_coding: dataCoding, short_message: Buffer.concat([udh, chunk]) };
  });
}

/** esm_class bit 6: short_message starts with a user data header. */
export const ESM_UDHI = 0x40;

export function decodeGsm7(bytes: Buffer): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const septet = bytes[i]! & 0x7f;
    if (septet === ESC) {
      const next = bytes[i + 1];
      if (next === undefined) break;
      i++;
      // An unknown extension code shows as the basic character (3GPP TS 23.038 §6.2.1.1).
      out += extensionDecode.get(next & 0x7f) ?? GSM7_BASIC[next & 0x7f];
      continue;
    }
    out += GSM7_BASIC[septet];
  }
  return out;
}

export function decodeUcs2(bytes: Buffer): string {
  const even = bytes.length % 2 === 0 ? bytes : bytes.subarray(0, bytes.length - 1);
  return Buffer.from(even).swap16().toString('utf16le');
}

/** The alphabet a data_coding value names (SMPP 3.4 §5.2.19 and GSM 03.38 coding groups). */
export function alphabetOf(dataCoding: number): 'gsm7' | 'ascii' | 'latin1' | 'ucs2' | 'binary' {
  if ((dataCoding & 0xf0) === 0xf0) return dataCoding & 0x04 ? 'binary' : 'gsm7';
  if ((dataCoding & 0xc0) === 0x00 && dataCoding & 0x30) {
    // General data coding group with message class / compression bits: bits 3-2 = alphabet.
    const alphabet = (dataCoding >> 2) & 0x03;
    return alphabet === 0 ? 'gsm7' : alphabet === 2 ? 'ucs2' : 'binary';
  }
  switch (dataCoding) {
    case DATA_CODING_GSM7:
      return 'gsm7';
    case DATA_CODING_ASCII:
      return 'ascii';
    case DATA_CODING_LATIN1:
      return 'latin1';
    case DATA_CODING_UCS2:
      return 'ucs2';
    default:
      return 'binary';
  }
}

/** Decode an inbound body from its raw octets. Unknown codings decode as Latin-1. */
export function decodeText(bytes: Buffer, dataCoding: number): string {
  switch (alphabetOf(dataCoding)) {
    case 'gsm7':
      return decodeGsm7(bytes);
    case 'ascii':
      return Buffer.from(bytes.map((b) => b & 0x7f)).toString('latin1');
    case 'ucs2':
      return decodeUcs2(bytes);
    default:
      return bytes.toString('latin1');
  }
}
