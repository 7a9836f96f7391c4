/// <reference types="@maskline/smpp-types" preserve="true" />
import { EventEmitter } from 'node:events';
import smpp, { type FieldType, type PDU, type Session } from 'smpp';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodePdu, RAW_MESSAGE_PAYLOAD, RAW_SHORT_MESSAGE } from '../src/session/pdu-decode.js';
import { attachPduReader } from '../src/session/pdu-reader.js';

const wire = (command: string, fields: Record<string, unknown>, sequence = 7) =>
  new smpp.PDU(command, { sequence_number: sequence, ...fields }).toBuffer();

const receipt = wire('deliver_sm', {
  source_addr: '447700900123',
  destination_addr: '15550001111',
  esm_class: 0x04,
  short_message: Buffer.from('id:abc sub:001 dlvrd:001 stat:DELIVRD err:000 text:'),
  receipted_message_id: 'abc',
  message_state: 2,
  network_error_code: Buffer.from([3, 0, 0]),
});

const samples: [string, Buffer][] = [
  ['a receipt with TLVs', receipt],
  [
    'an MO with a UDH',
    wire('deliver_sm', {
      source_addr: '447700900123',
      esm_class: 0x40,
      short_message: Buffer.from([5, 0, 3, 9, 2, 1, 0x48, 0x69]),
    }),
  ],
  [
    'an MO in message_payload (UCS-2)',
    wire('deliver_sm', {
      data_coding: 0x08,
      short_message: Buffer.alloc(0),
      message_payload: Buffer.from([0, 0x48, 0, 0x69]),
    }),
  ],
  ['a submit_sm_resp', wire('submit_sm_resp', { message_id: 'm-1' })],
  ['a failed submit_sm_resp with no body', wire('submit_sm_resp', { command_status: 0x45 })],
  [
    'a bind_transceiver_resp with a TLV',
    wire('bind_transceiver_resp', { system_id: 'smsc', sc_interface_version: 0x34 }),
  ],
  ['an enquire_link', wire('enquire_link', {})],
];

describe('decodePdu: one pass that checks and decodes', () => {
  it.each(samples)('decodes %s exactly as the smpp package does', (_, bytes) => {
    const definition = smpp.commandsById[bytes.readUInt32BE(4)]!;
    const decoded = decodePdu(bytes, definition);
    expect(decoded).not.toBeNull();
    const { [RAW_SHORT_MESSAGE]: _short, [RAW_MESSAGE_PAYLOAD]: _payload, ...fields } = decoded!;
    expect(fields).toEqual({ ...new smpp.PDU(bytes) });
    expect(decoded!.isResponse()).toBe(new smpp.PDU(bytes).isResponse());
  });

  it('keeps an unknown TLV as its octets, as the package does', () => {
    const tlv = Buffer.from([0x14, 0x00, 0x00, 0x02, 0xab, 0xcd]);
    const bytes = Buffer.concat([receipt, tlv]);
    bytes.writeUInt32BE(bytes.length, 0);
    const decoded = decodePdu(bytes, smpp.commandsById[5]!)!;
    expect(decoded[0x1400]).toEqual(Buffer.from([0xab, 0xcd]));
    expect(decoded[0x1400]).toEqual(new smpp.PDU(bytes)[0x1400]);
  });

  it.each([
    ['a request cut inside its mandatory fields', receipt.subarray(0, 30)],
    ['a short_message length past the end', receipt.subarray(0, receipt.indexOf(Buffer.from('id:abc')) + 4)],
    ['a TLV that runs past the end', Buffer.concat([receipt, Buffer.from([0x04, 0x27, 0x00, 0x09, 0x01])])],
    ['trailing octets that are no TLV', Buffer.concat([receipt, Buffer.from([0x04, 0x27])])],
  ])('is null for %s', (_, bytes) => {
    const framed = Buffer.from(bytes);
    framed.writeUInt32BE(framed.length, 0);
    expect(decodePdu(framed, smpp.commandsById[5]!)).toBeNull();
  });
});

describe('PDU reader: each frame decoded once, in place', () => {
  afterEach(() => vi.restoreAllMocks());

  const reader = () => {
    const socket = Object.assign(new EventEmitter(), { writable: true });
    const pdus: PDU[] = [];
    const faults: unknown[] = [];
    attachPduReader({ socket, send: () => true } as unknown as Session, {
      maxPduOctets: 16_384,
      readTimeoutMs: 60_000,
      onPdu: (pdu) => pdus.push(pdu),
      onFault: (fault) => faults.push(fault),
    });
    return { socket, pdus, faults };
  };

  it('reads each field of a deliver_sm once', () => {
    const cstring = smpp.commands.deliver_sm!.params!.source_addr!.type as FieldType;
    const read = vi.spyOn(cstring, 'read');
    const { socket, pdus } = reader();
    socket.emit('data', Buffer.concat([receipt, receipt]));
    expect(pdus).toHaveLength(2);
    // Six C-octet strings per receipt: service_type, source_addr, destination_addr,
    // schedule_delivery_time, validity_period and the receipted_message_id TLV. Checking the
    // body and then decoding it used to read the five mandatory ones twice (22 reads).
    expect(read).toHaveBeenCalledTimes(2 * 6);
  });

  it('keeps the raw short_message as a view of the chunk read, not a copy', () => {
    const { socket, pdus } = reader();
    // Buffer.alloc: a chunk of its own memory (a copy from Buffer's shared pool would share it).
    const chunk = Buffer.alloc(2 * receipt.length);
    receipt.copy(chunk, 0);
    receipt.copy(chunk, receipt.length);
    socket.emit('data', chunk);
    const raw = pdus[1]![RAW_SHORT_MESSAGE] as Buffer;
    expect(raw.toString()).toBe('id:abc sub:001 dlvrd:001 stat:DELIVRD err:000 text:');
    expect(raw.buffer).toBe(chunk.buffer);
    expect(raw.byteOffset).toBeGreaterThan(receipt.length);
  });

  it('reassembles a frame split over three reads and reads on in place', () => {
    const { socket, pdus, faults } = reader();
    const stream = Buffer.concat([receipt, receipt, receipt]);
    const cuts = [2, receipt.length + 10, stream.length];
    let from = 0;
    for (const to of cuts) {
      socket.emit('data', stream.subarray(from, to));
      from = to;
    }
    expect(faults).toEqual([]);
    expect(pdus).toHaveLength(3);
    for (const pdu of pdus) expect(pdu.receipted_message_id).toBe('abc');
  });
});
