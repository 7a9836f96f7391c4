import { GSM7_BASIC, GSM7_ESCAPE, GSM7_EXTENSION, segmentInfo } from '@maskline/core';
import type { EncodedText, MessagePart } from './internal-types.js';

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
  if (gsm) return { encoding: 'gsm7', dataCoding: DATA_CODING_GSM7, bytes: gsm, segments };
  return { encoding: 'ucs2', dataCoding: DATA_CODING_UCS2, bytes: encodeUcs2(text), segments };
}

/**
 * The submit_sm PDUs (body fields) for one message. Today always one part: a body that
 * fits one segment goes in short_message, a longer one whole in message_payload with an
 * empty short_message (SMPP 3.4 §5.3.2.32). One segment is 140 octets on the air; GSM
 * travels unpacked over SMPP, so 160 septets take 160 octets of short_message (allowed up
 * to 254) and the SMSC packs them. Using message_payload only when needed keeps single
 * segments working with SMSCs that do not support it. UDH concatenation will split the body here instead
 * (one part per segment, esm_class 0x40, a UDH in front of each short_message); the
 * carrier already submits every part and collects their ids.
 */
export function messageParts(encoded: EncodedText): MessagePart[] {
  const { dataCoding, bytes } = encoded;
  if (encoded.segments === 1) {
    return [{ esm_class: 0, data_coding: dataCoding, short_message: bytes }];
  }
  return [{ esm_class: 0, data_coding: dataCoding, short_message: Buffer.alloc(0), message_payload: bytes }];
}

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
