/// <reference types="@maskline/smpp-types" preserve="true" />
import smpp, { type PDU, type Session } from 'smpp';
import { decodePdu } from './pdu-decode.js';
import { flushCorked, sendCorked } from './socket-io.js';

/**
 * Our own PDU framing on the SMSC's socket, in place of the smpp package's reader. The
 * package's reader throws (and then never reads again) on a bad command_length, desyncs
 * silently on a command_length of 0, waits forever on one that runs past the data, and
 * passes truncated bodies through as ordinary PDUs. Here every frame is checked as it is
 * decoded (decodePdu, one pass with the package's field readers):
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
const EMPTY = Buffer.alloc(0);

/**
 * Replace the package's reader on `session` with ours. Call right after creating the session.
 *
 * Frames are decoded in place, as views of the chunk the socket read (decodePdu: one pass
 * that checks and decodes). Only a frame split across two reads is copied, and only its own
 * octets: the rest of the chunk is never copied.
 */
export function attachPduReader(session: Session, options: PduReaderOptions): void {
  const socket = session.socket;
  socket.removeAllListeners('readable');
  /** The start of a frame whose remaining octets have not arrived yet. */
  let partial: Buffer = EMPTY;
  let dead = false;
  let timer: NodeJS.Timeout | undefined;

  const nack = (sequence: number, status: number) => {
    sendCorked(session, new smpp.PDU('generic_nack', { sequence_number: sequence, command_status: status }));
  };
  const fatal = (fault: Omit<ProtocolFault, 'fatal'>) => {
    flushCorked(socket); // the generic_nack goes out before the link is reset
    dead = true;
    clearTimeout(timer);
    partial = EMPTY;
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
    const pdu = decodePdu(bytes, definition);
    if (!pdu) return skip({ kind: 'malformed_body', ...header }, ESME_RINVCMDLEN);
    options.onPdu(pdu);
  };

  /** Decode every whole frame in `buffer`; returns the octets of an incomplete last frame. */
  const frames = (buffer: Buffer): Buffer => {
    let offset = 0;
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
        return EMPTY;
      }
      if (buffer.length - offset < length) break;
      const bytes = buffer.subarray(offset, offset + length);
      offset += length;
      progressed = true;
      frame(bytes);
    }
    return offset === buffer.length ? EMPTY : buffer.subarray(offset);
  };

  let progressed = false;
  socket.on('data', (chunk: Buffer) => {
    if (dead) return;
    progressed = false;
    let rest = chunk;
    if (partial.length > 0) {
      // Complete the split frame with just the octets it lacks (all of the chunk while its
      // command_length itself is still incomplete), then read the rest of the chunk in place.
      const take =
        partial.length >= 4 ? Math.min(chunk.length, partial.readUInt32BE(0) - partial.length) : chunk.length;
      const head = Buffer.concat([partial, chunk.subarray(0, take)]);
      rest = chunk.subarray(take);
      partial = frames(head);
    }
    if (!dead && rest.length > 0) partial = frames(rest);
    if (dead) return;
    if (partial.length === 0 || progressed) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (partial.length > 0 && timer === undefined) {
      timer = setTimeout(() => {
        const commandLength = partial.length >= 4 ? partial.readUInt32BE(0) : undefined;
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
