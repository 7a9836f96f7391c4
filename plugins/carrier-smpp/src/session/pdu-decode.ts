/// <reference types="@maskline/smpp-types" preserve="true" />
import smpp, { type CommandDefinition, type FieldType, type PDU } from 'smpp';

/**
 * Decode one framed PDU in a single pass that also checks it: every mandatory field and
 * TLV is read once, with the smpp package's own field readers and decode filters, so the
 * result is the PDU `new smpp.PDU(bytes)` builds. Until now the reader walked the fields
 * once to check the body and the package then decoded them all again.
 *
 * Null when the body is malformed: a request that stops before its last mandatory field, a
 * field or TLV that runs past command_length, trailing octets that are no TLV. A response
 * may stop after the header (SMPP 3.4 §3.3: no body with a non-zero command_status).
 *
 * short_message and message_payload are also attached undecoded (RAW_SHORT_MESSAGE,
 * RAW_MESSAGE_PAYLOAD) as views of `bytes`, not copies: the package's own short_message is
 * a view of the same memory, and whatever outlives the PDU (a held MO part) copies its
 * octets itself.
 */

/** Raw (undecoded) body octets, attached to a PDU under these names by the reader. */
export const RAW_SHORT_MESSAGE = 'raw_short_message';
export const RAW_MESSAGE_PAYLOAD = 'raw_message_payload';

const HEADER_OCTETS = 16;
const RESPONSE_BIT = 0x8000_0000;
const TAG_MESSAGE_PAYLOAD = 0x0424;

/** The parts of smpp@0.5.1's codec tables this decoder reads beyond @maskline/smpp-types. */
interface TlvDefinition {
  tag: string;
  type: FieldType;
  multiple?: boolean;
}
const codec = smpp as unknown as {
  tlvsById: Record<number, TlvDefinition | undefined>;
  commands: Record<string, { tlvMap?: Record<string, string> } | undefined>;
};
type DecodingPdu = PDU & { _filter(direction: 'decode'): void };

export function decodePdu(bytes: Buffer, definition: CommandDefinition): PDU | null {
  const pdu = Object.create(smpp.PDU.prototype) as DecodingPdu;
  pdu.command_length = bytes.length;
  pdu.command_id = bytes.readUInt32BE(4);
  pdu.command_status = bytes.readUInt32BE(8);
  pdu.sequence_number = bytes.readUInt32BE(12);
  pdu.command = definition.command;
  const isResponse = (pdu.command_id & RESPONSE_BIT) !== 0;
  let offset = HEADER_OCTETS;
  try {
    const params = definition.params ?? {};
    for (const name in params) {
      if (offset >= bytes.length) {
        if (isResponse) break;
        return null;
      }
      const type = params[name]!.type;
      const start = offset;
      const value = type.read(bytes, offset);
      offset += type.size(value);
      if (offset > bytes.length) return null;
      if (name === 'short_message') {
        // The package's reader clamps a declared length that runs past the PDU: check it.
        const end = start + 1 + bytes[start]!;
        if (end > bytes.length) return null;
        pdu[RAW_SHORT_MESSAGE] = bytes.subarray(start + 1, end);
      }
      pdu[name] = value;
    }
    const tlvMap = codec.commands[definition.command]?.tlvMap;
    while (offset < bytes.length) {
      if (offset + 4 > bytes.length) return null;
      const id = bytes.readUInt16BE(offset);
      const length = bytes.readUInt16BE(offset + 2);
      offset += 4;
      const end = offset + length;
      if (end > bytes.length) return null;
      const tlv = codec.tlvsById[id];
      if (!tlv) {
        pdu[id] = bytes.subarray(offset, end);
      } else {
        const tag = tlvMap?.[tlv.tag] ?? tlv.tag;
        const value = tlv.type.read(bytes, offset, length);
        if (!tlv.multiple) pdu[tag] = value;
        else if (Array.isArray(pdu[tag])) pdu[tag].push(value);
        else pdu[tag] = [value];
        if (id === TAG_MESSAGE_PAYLOAD) pdu[RAW_MESSAGE_PAYLOAD] = bytes.subarray(offset, end);
      }
      offset = end;
    }
    pdu._filter('decode');
  } catch {
    return null;
  }
  return pdu;
}
