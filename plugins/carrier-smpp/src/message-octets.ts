/// <reference types="@maskline/smpp-types" preserve="true" />
import smpp from 'smpp';

/**
 * Raw octets of a received short_message / message_payload.
 *
 * The smpp package's decode filter replaces the field with `{ message, udh? }`, where
 * `message` is a string when it knows the coding (it looks at data_coding & 0x0F: 0 and 1
 * through its GSM 03.38 coder, 3 as Latin-1, 8 as UTF-16BE) and the Buffer otherwise. We
 * re-encode the string the way the package decoded it to get the octets back, then decode
 * them ourselves (the package decodes 0x01 (IA5/ASCII) as GSM, which is wrong). This is
 * exact for UCS-2, Latin-1 and 7-bit GSM/ASCII; GSM octets above 0x7F were already turned
 * into spaces by the package. A UDH, when present, is dropped (no concatenation yet).
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

/** The body octets of a deliver_sm: short_message, or message_payload when that is empty. */
export function deliverSmOctets(pdu: Record<string, unknown>): Buffer {
  const dataCoding = typeof pdu.data_coding === 'number' ? pdu.data_coding : 0;
  const short = messageOctets(pdu.short_message, dataCoding);
  if (short.length > 0 || pdu.message_payload === undefined) return short;
  return messageOctets(pdu.message_payload, dataCoding);
}
