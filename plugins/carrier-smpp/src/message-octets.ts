/// <reference types="@maskline/smpp-types" preserve="true" />
import smpp from 'smpp';
import { RAW_MESSAGE_PAYLOAD, RAW_SHORT_MESSAGE } from './session/pdu-decode.js';

/**
 * Raw octets of a received short_message / message_payload.
 *
 * The smpp package's decode filter replaces the field with `{ message, udh? }`, where
 * `message` is a string when it knows the coding (it looks at data_coding & 0x0F: 0 and 1
 * through its GSM 03.38 coder, 3 as Latin-1, 8 as UTF-16BE) and the Buffer otherwise. We
 * re-encode the string the way the package decoded it to get the octets back, then decode
 * them ourselves (the package decodes 0x01 (IA5/ASCII) as GSM, which is wrong). This is
 * exact for UCS-2, Latin-1 and 7-bit GSM/ASCII; GSM octets above 0x7F were already turned
 * into spaces by the package. A UDH, when present, is not part of the octets.
 */
export function messageOctets(value: unknown, dataCoding: number): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (typeof value === 'string') return Buffer.from(value, 'latin1');
  if (typeof value !== 'object' || value === null || !('message' in value)) return Buffer.alloc(0);
  const message = (value as { message: unknown }).message;
  if (Buffer.isBuffer(message)) return message;
  if (typeof message !== 'string') return Buffer.alloc(0);
  switch (dataCoding & 0x0f) {
    case 0x00:
    case 0x01:
      return smpp.gsmCoder.encode(message, 0x00);
    case 0x03:
      return Buffer.from(message, 'latin1');
    case 0x08:
      return Buffer.from(message, 'utf16le').swap16();
    default:
      return Buffer.from(message, 'latin1');
  }
}

/** The body octets of a deliver_sm (UDH removed): short_message, or message_payload when that is empty. */
export function deliverSmOctets(pdu: Record<string, unknown>): Buffer {
  return deliverSmBody(pdu).octets;
}

/** A deliver_sm body: its octets without the UDH, and the UDH's information elements. */
export interface DeliverSmBody {
  octets: Buffer;
  /** Information elements as `[iei, length, ...data]`, when the body had a UDH. */
  udh: Buffer[];
}

const ESM_UDHI = 0x40;

/**
 * The body of a deliver_sm. Prefers the raw octets our PDU reader attached (exact for every
 * coding, GSM octets above 0x7F included); falls back to re-encoding what the package
 * decoded (a PDU that did not come through the reader, e.g. in tests).
 */
export function deliverSmBody(pdu: Record<string, unknown>): DeliverSmBody {
  const esmClass = typeof pdu.esm_class === 'number' ? pdu.esm_class : 0;
  const rawShort = pdu[RAW_SHORT_MESSAGE];
  const rawPayload = pdu[RAW_MESSAGE_PAYLOAD];
  if (Buffer.isBuffer(rawShort) || Buffer.isBuffer(rawPayload)) {
    const raw =
      Buffer.isBuffer(rawShort) && rawShort.length > 0
        ? rawShort
        : Buffer.isBuffer(rawPayload)
          ? rawPayload
          : Buffer.alloc(0);
    return esmClass & ESM_UDHI ? splitUdh(raw) : { octets: raw, udh: [] };
  }
  const dataCoding = typeof pdu.data_coding === 'number' ? pdu.data_coding : 0;
  const short = messageOctets(pdu.short_message, dataCoding);
  const field =
    short.length > 0 || pdu.message_payload === undefined ? pdu.short_message : pdu.message_payload;
  const octets = field === pdu.short_message ? short : messageOctets(field, dataCoding);
  return { octets, udh: packageUdh(field) };
}

/** `udhl, IEs…, text`: the IEs and the text. A UDH longer than the body is treated as text. */
export function splitUdh(raw: Buffer): DeliverSmBody {
  const length = raw[0];
  if (length === undefined || 1 + length > raw.length) return { octets: raw, udh: [] };
  const header = raw.subarray(1, 1 + length);
  const udh: Buffer[] = [];
  for (let i = 0; i + 2 <= header.length; ) {
    const ieLength = header[i + 1]!;
    if (i + 2 + ieLength > header.length) break;
    udh.push(header.subarray(i, i + 2 + ieLength));
    i += 2 + ieLength;
  }
  return { octets: raw.subarray(1 + length), udh };
}

function packageUdh(field: unknown): Buffer[] {
  if (typeof field !== 'object' || field === null || !('udh' in field)) return [];
  const udh = (field as { udh: unknown }).udh;
  return Array.isArray(udh) ? udh.filter((ie): ie is Buffer => Buffer.isBuffer(ie)) : [];
}
