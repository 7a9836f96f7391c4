/// <reference types="@maskline/smpp-types" preserve="true" />
import smpp, { type CommandDefinition, type PDU, type Session } from 'smpp';
import { flushCorked, sendCorked } from './socket-io.js';

/**
 * Our own PDU framing on the SMSC's socket, in place of the smpp package's reader. The
 * package's reader throws (and then never reads again) on a bad command_length, desyncs
 * silently on a command_length of 0, waits forever on one that runs past the data, and
 * passes truncated bodies through as ordinary PDUs. Here every frame is checked before the
 * package decodes it:
 *
 * | What arrives                                   | Answer                               | Link      |
 * | ---------------------------------------------- | ------------------------------------ | --------- |
 * | command_length < 16 or > maxPduOctets          | generic_nack ESME_RINVCMDLEN (0x02)  | reset     |
 * | a frame whose bytes stop part-way (readTimeout) | —                                    | reset     |
 * | unknown command_id (a request)                 | generic_nack ESME_RINVCMDID (0x03)   | kept      |
 * | body shorter / longer than its fields, bad TLV | generic_nack ESME_RINVCMDLEN (0x02)  | kept      |
 * | the same for a response PDU                    | — (never answer a response)          | kept      |
 *
 * Framing faults leave no way to find the next PDU boundary, so the link is reset (the bind
 * reconnects with backoff); a bad frame inside a good framing is skipped. Faults carry
 * header values only (command_id, length, sequence), never body bytes.
 */
export type ProtocolFaultKind =
  | 'bad_command_length'
  | 'stalled_pdu'
  | 'unknown_command_id'
  | 'malformed_body';

export interface ProtocolFault {
  kind: ProtocolFaultKind;
  /** True when the link must be reset: the reader has stopped reading. */
  fatal: boolean;
  commandLength?: number;
  commandId?: number;
  sequence?: number;
}

export interface PduReaderOptions {
  maxPduOctets: number;
  /** A partly received PDU with no progress for this long is a stalled link. */
  readTimeoutMs: number;
  onPdu(pdu: PDU): void;
  onFault(fault: ProtocolFault): void;
}

const HEADER_OCTETS = 16;
const RESPONSE_BIT = 0x8000_0000;
const ESME_RINVCMDLEN = 0x02;
const ESME_RINVCMDID = 0x03;
const TAG_MESSAGE_PAYLOAD = 0x0424;

/** Raw (undecoded) body octets, attached to a PDU under these names by the reader. */
export const RAW_SHORT_MESSAGE = 'raw_short_message';
export const RAW_MESSAGE_PAYLOAD = 'raw_message_payload';

/** Replace the package's reader on `session` with ours. Call right after creating the session. */
export function attachPduReader(session: Session, options: PduReaderOptions): void {
  const socket = session.socket;
  socket.removeAllListeners('readable');
  let buffer: Buffer = Buffer.alloc(0);
  let dead = false;
  let timer: NodeJS.Timeout | undefined;

  const nack = (sequence: number, status: number) => {
    sendCorked(session, new smpp.PDU('generic_nack', { sequence_number: sequence, command_status: status }));
  };
  const fatal = (fault: Omit<ProtocolFault, 'fatal'>) => {
    flushCorked(socket); // the generic_nack goes out before the link is reset
    dead = true;
    clearTimeout(timer);
    buffer = Buffer.alloc(0);
    options.onFault({ ...fault, fatal: true });
  };
  const skip = (fault: Omit<ProtocolFault, 'fatal'>, answer?: number) => {
    if (answer !== undefined && fault.commandId !== undefined && !(fault.commandId & RESPONSE_BIT)) {
      nack(fault.sequence ?? 0, answer);
    }
    options.onFault({ ...fault, fatal: false });
  };

  const frame = (bytes: Buffer) => {
    const commandId = bytes.readUInt32BE(4);
    const sequence = bytes.readUInt32BE(12);
    const header = { commandId, sequence, commandLength: bytes.length };
    const definition = smpp.commandsById[commandId];
    if (!definition) return skip({ kind: 'unknown_command_id', ...header }, ESME_RINVCMDID);
    const raw = checkBody(bytes, definition, (commandId & RESPONSE_BIT) !== 0);
    if (!raw) return skip({ kind: 'malformed_body', ...header }, ESME_RINVCMDLEN);
    let pdu: PDU;
    try {
      pdu = new smpp.PDU(bytes);
    } catch {
      return skip({ kind: 'malformed_body', ...header }, ESME_RINVCMDLEN);
    }
    if (raw.shortMessage) pdu[RAW_SHORT_MESSAGE] = raw.shortMessage;
    if (raw.messagePayload) pdu[RAW_MESSAGE_PAYLOAD] = raw.messagePayload;
    options.onPdu(pdu);
  };

  socket.on('data', (chunk: Buffer) => {
    if (dead) return;
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    let offset = 0;
    let progressed = false;
    while (!dead && buffer.length - offset >= 4) {
      const length = buffer.readUInt32BE(offset);
      if (length < HEADER_OCTETS || length > options.maxPduOctets) {
        const available = buffer.length - offset;
        const sequence = available >= HEADER_OCTETS ? buffer.readUInt32BE(offset + 12) : 0;
        const commandId = available >= 8 ? buffer.readUInt32BE(offset + 4) : undefined;
        nack(sequence, ESME_RINVCMDLEN);
        fatal({
          kind: 'bad_command_length',
          commandLength: length,
          sequence,
          ...(commandId === undefined ? {} : { commandId }),
        });
        return;
      }
      if (buffer.length - offset < length) break;
      const bytes = buffer.subarray(offset, offset + length);
      offset += length;
      progressed = true;
      frame(bytes);
    }
    if (dead) return;
    buffer = offset === buffer.length ? Buffer.alloc(0) : buffer.subarray(offset);
    if (buffer.length === 0 || progressed) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (buffer.length > 0 && timer === undefined) {
      timer = setTimeout(() => {
        const commandLength = buffer.length >= 4 ? buffer.readUInt32BE(0) : undefined;
        fatal({ kind: 'stalled_pdu', ...(commandLength === undefined ? {} : { commandLength }) });
      }, options.readTimeoutMs);
      timer.unref();
    }
  });
  socket.once('close', () => {
    dead = true;
    clearTimeout(timer);
  });
}

interface RawBody {
  shortMessage?: Buffer;
  messagePayload?: Buffer;
}

/**
 * Walk the frame's mandatory fields (with the package's own field readers) and TLVs: the
 * body must end exactly at command_length. A response may stop after the header (SMPP 3.4
 * §3.3: no body with a non-zero command_status). Null when malformed.
 */
function checkBody(bytes: Buffer, definition: CommandDefinition, isResponse: boolean): RawBody | null {
  const raw: RawBody = {};
  let offset = HEADER_OCTETS;
  try {
    for (const [name, param] of Object.entries(definition.params ?? {})) {
      if (offset >= bytes.length) return isResponse ? raw : null;
      const start = offset;
      const value = param.type.read(bytes, offset);
      offset += param.type.size(value);
      if (offset > bytes.length) return null;
      if (name === 'short_message') {
        const declared = bytes[start]!;
        if (start + 1 + declared > bytes.length) return null;
        raw.shortMessage = Buffer.from(bytes.subarray(start + 1, start + 1 + declared));
      }
    }
    while (offset < bytes.length) {
      if (offset + 4 > bytes.length) return null;
      const tag = bytes.readUInt16BE(offset);
      const length = bytes.readUInt16BE(offset + 2);
      if (offset + 4 + length > bytes.length) return null;
      if (tag === TAG_MESSAGE_PAYLOAD)
        raw.messagePayload = Buffer.from(bytes.subarray(offset + 4, offset + 4 + length));
      offset += 4 + length;
    }
  } catch {
    return null;
  }
  return raw;
}
