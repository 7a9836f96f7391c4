/// <reference types="@maskline/smpp-types" preserve="true" />
import { segmentInfo } from '@maskline/core';
import smpp from 'smpp';

/**
 * Message text as the simulated SMSC reads and writes it.
 *
 * The smpp package's decode filter turns short_message / message_payload into
 * `{ message, udh? }`: `message` is a string for the codings it knows (by data_coding &
 * 0x0F: 0x00 and 0x01 through its GSM 03.38 coder, 0x03 Latin-1, 0x08 UTF-16BE) and the
 * raw Buffer otherwise. That is right for GSM, Latin-1 and UCS-2, but IA5 (0x01) is not
 * GSM: we re-encode the package's string with the same coder (its exact inverse for 7-bit
 * octets) and read the octets as ASCII. The package's GSM coder is used on purpose: it is
 * independent of the gateway's own encoder, so tests compare two implementations.
 */
export const DATA_CODING_GSM7 = 0x00;
export const DATA_CODING_IA5 = 0x01;
export const DATA_CODING_LATIN1 = 0x03;
export const DATA_CODING_UCS2 = 0x08;

export interface DecodedBody {
  text: string;
  /** The body's octets (UDH removed), as the client sent them. */
  octets: Buffer;
  /** User data header information elements (`[iei, length, ...data]`), when UDHI was set. */
  udh: Buffer[];
}

export function decodeBody(field: unknown, dataCoding: number): DecodedBody {
  const empty = Buffer.alloc(0);
  if (Buffer.isBuffer(field)) return { text: decodeOctets(field, dataCoding), octets: field, udh: [] };
  if (typeof field === 'string') return { text: field, octets: Buffer.from(field, 'latin1'), udh: [] };
  if (typeof field !== 'object' || field === null || !('message' in field)) {
    return { text: '', octets: empty, udh: [] };
  }
  const { message, udh } = field as { message: unknown; udh?: unknown };
  const udhList = Array.isArray(udh) ? udh.filter((ie): ie is Buffer => Buffer.isBuffer(ie)) : [];
  if (Buffer.isBuffer(message))
    return { text: decodeOctets(message, dataCoding), octets: message, udh: udhList };
  if (typeof message !== 'string') return { text: '', octets: empty, udh: udhList };
  const octets = reencode(message, dataCoding);
  const text = (dataCoding & 0x0f) === DATA_CODING_IA5 ? octets.toString('latin1') : message;
  return { text, octets, udh: udhList };
}

/** The octets the package decoded `message` from (its decoders are exact inverses for these codings). */
function reencode(message: string, dataCoding: number): Buffer {
  switch (dataCoding & 0x0f) {
    case DATA_CODING_GSM7:
    case DATA_CODING_IA5:
      return gsmOctets(message);
    case DATA_CODING_UCS2:
      return Buffer.from(message, 'utf16le').swap16();
    default:
      return Buffer.from(message, 'latin1');
  }
}

/**
 * The package's GSM encoder, one character at a time and memoised: it maps characters
 * independently, so this gives the same octets as encoding the whole string, without the
 * table scan and RegExp the package builds on every call (most of the simulator's CPU
 * at benchmark rates).
 */
const gsmByChar = new Map<string, Buffer>();
function gsmOctets(text: string): Buffer {
  const parts: Buffer[] = [];
  for (const ch of text) {
    let octets = gsmByChar.get(ch);
    if (!octets) {
      octets = smpp.gsmCoder.encode(ch, 0x00);
      if (gsmByChar.size < 4096) gsmByChar.set(ch, octets);
    }
    parts.push(octets);
  }
  return Buffer.concat(parts);
}

/** Octets the package left undecoded, by data_coding. Unknown codings read as Latin-1. */
export function decodeOctets(octets: Buffer, dataCoding: number): string {
  switch (dataCoding & 0x0f) {
    case DATA_CODING_GSM7:
      return smpp.gsmCoder.decode(octets, 0x00);
    case DATA_CODING_UCS2: {
      const even = Buffer.from(octets.subarray(0, octets.length - (octets.length % 2)));
      return even.swap16().toString('utf16le');
    }
    default:
      return octets.toString('latin1');
  }
}

/** Concatenation reference from a UDH (IE 0x00: 8-bit reference, IE 0x08: 16-bit). */
export function concatenationPart(
  udh: Buffer[],
): { scheme: 'udh8' | 'udh16'; ref: number; total: number; seq: number } | undefined {
  for (const ie of udh) {
    if (ie[0] === 0x00 && ie[1] === 3 && ie.length >= 5) {
      return { scheme: 'udh8', ref: ie[2]!, total: ie[3]!, seq: ie[4]! };
    }
    if (ie[0] === 0x08 && ie[1] === 4 && ie.length >= 6) {
      return { scheme: 'udh16', ref: ie.readUInt16BE(2), total: ie[4]!, seq: ie[5]! };
    }
  }
  return undefined;
}

/** How a multipart MO is marked: UDH with an 8- or 16-bit reference, or SAR TLVs. */
export type MultipartScheme = 'udh8' | 'udh16' | 'sar';

/**
 * Split encoded octets into parts of at most `partOctets` (default 153 for GSM, 134 for
 * UCS-2). The cut is by octets on purpose: it may fall inside a GSM escape or a UCS-2
 * surrogate pair, as some handsets and SMSCs do, and the receiver must reassemble octets.
 */
export function splitOctets(bytes: Buffer, dataCoding: number, partOctets?: number): Buffer[] {
  const size = partOctets ?? (dataCoding === DATA_CODING_UCS2 ? 134 : 153);
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
  return parts.length > 0 ? parts : [bytes];
}

/**
 * Text for a deliver_sm: GSM 03.38 (unpacked, 0x1B escapes) when every character is in the
 * default alphabet or its extension table, else UCS-2 big-endian. data_coding is always
 * set explicitly. A literal ESC character is not text, so it forces UCS-2.
 */
export function encodeText(text: string): { dataCoding: number; bytes: Buffer } {
  if (!text.includes('\u001b') && segmentInfo(text).encoding === 'gsm7') {
    return { dataCoding: DATA_CODING_GSM7, bytes: smpp.gsmCoder.encode(text, 0x00) };
  }
  return { dataCoding: DATA_CODING_UCS2, bytes: Buffer.from(text, 'utf16le').swap16() };
}
