import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';

/**
 * A fake SMSC that speaks SMPP with hand-written framing (no smpp package), so tests can
 * write any bytes at a bound client: malformed PDUs, garbage, fuzz. It answers
 * bind_transceiver / bind_transmitter / bind_receiver, enquire_link, submit_sm and unbind.
 */
export interface Frame {
  commandId: number;
  status: number;
  sequence: number;
  body: Buffer;
}

export interface RawConnection {
  socket: Socket;
  frames: Frame[];
  bound: boolean;
  /** The bind command the client sent (bind_receiver 0x01, bind_transmitter 0x02, bind_transceiver 0x09). */
  bindCommand?: number;
}

export const CMD = {
  generic_nack: 0x8000_0000,
  bind_transceiver: 0x09,
  bind_transceiver_resp: 0x8000_0009,
  submit_sm: 0x04,
  submit_sm_resp: 0x8000_0004,
  deliver_sm: 0x05,
  deliver_sm_resp: 0x8000_0005,
  enquire_link: 0x15,
  enquire_link_resp: 0x8000_0015,
  unbind: 0x06,
} as const;

export function pdu(commandId: number, sequence: number, body: Buffer = Buffer.alloc(0), status = 0): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt32BE(16 + body.length, 0);
  header.writeUInt32BE(commandId >>> 0, 4);
  header.writeUInt32BE(status, 8);
  header.writeUInt32BE(sequence, 12);
  return Buffer.concat([header, body]);
}

export const cstr = (value: string) => Buffer.from(`${value}\0`, 'latin1');

/** A deliver_sm body: MO text in short_message (data_coding 0). */
export function deliverSmBody(text: Buffer, esmClass = 0): Buffer {
  return Buffer.concat([
    cstr(''), // service_type
    Buffer.from([1, 1]),
    cstr('447700900123'),
    Buffer.from([1, 1]),
    cstr('15550001111'),
    Buffer.from([esmClass, 0, 0]), // esm_class, protocol_id, priority_flag
    cstr(''),
    cstr(''),
    Buffer.from([0, 0, 0, 0]), // registered_delivery, replace_if_present, data_coding, sm_default_msg_id
    Buffer.from([text.length]),
    text,
  ]);
}

export class RawSmsc {
  readonly connections: RawConnection[] = [];
  #messageSeq = 0;
  /** Called once a connection is bound. */
  onBound: (connection: RawConnection) => void = () => {};
  /**
   * What to write, in ONE socket.write, when a bind arrives: by default just the bind
   * response. A test can add PDUs around it (an SMSC flushing stored receipts and MO the
   * moment the bind succeeds).
   */
  onBindWrite: (connection: RawConnection, bindResp: Buffer) => Buffer[] = (_, bindResp) => [bindResp];

  private constructor(readonly server: Server) {}

  static async start(): Promise<RawSmsc> {
    let smsc: RawSmsc | undefined;
    const server = createServer((socket) => smsc!.accept(socket));
    smsc = new RawSmsc(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return smsc;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    socket.on('error', () => {});
    const connection: RawConnection = { socket, frames: [], bound: false };
    this.connections.push(connection);
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 16) {
        const length = buffer.readUInt32BE(0);
        if (buffer.length < length) break;
        const frame: Frame = {
          commandId: buffer.readUInt32BE(4),
          status: buffer.readUInt32BE(8),
          sequence: buffer.readUInt32BE(12),
          body: buffer.subarray(16, length),
        };
        buffer = buffer.subarray(length);
        connection.frames.push(frame);
        this.answer(connection, frame);
      }
    });
  }

  private answer(connection: RawConnection, frame: Frame): void {
    const { socket } = connection;
    if (socket.destroyed) return;
    switch (frame.commandId) {
      case 0x01:
      case 0x02:
      case CMD.bind_transceiver:
        connection.bindCommand = frame.commandId;
        socket.write(
          Buffer.concat(
            this.onBindWrite(
              connection,
              pdu(frame.commandId | 0x8000_0000, frame.sequence, cstr('raw-smsc')),
            ),
          ),
        );
        connection.bound = true;
        this.onBound(connection);
        return;
      case CMD.enquire_link:
        socket.write(pdu(CMD.enquire_link_resp, frame.sequence));
        return;
      case CMD.submit_sm:
        socket.write(pdu(CMD.submit_sm_resp, frame.sequence, cstr(`raw${++this.#messageSeq}`)));
        return;
      case CMD.unbind:
        socket.write(pdu(0x8000_0006, frame.sequence));
        socket.end();
        return;
    }
  }
}
