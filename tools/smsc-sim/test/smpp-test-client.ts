/// <reference types="@maskline/smpp-types" preserve="true" />
import { Socket } from 'node:net';
import smpp, { type PDU, type Session } from 'smpp';

/** A minimal SMPP client (the smpp package's own) to drive the simulator in tests. */
export class TestClient {
  readonly delivered: PDU[] = [];
  /** command_status this client answers deliver_sm with; null: do not answer. */
  deliverStatus: number | null = 0;
  readonly closed: Promise<void>;
  private readonly waiters = new Set<() => void>();

  private constructor(readonly session: Session) {
    this.closed = new Promise((resolve) => session.once('close', () => resolve()));
    session.on('deliver_sm', (pdu: PDU) => {
      this.delivered.push(pdu);
      if (this.deliverStatus !== null) session.send(pdu.response({ command_status: this.deliverStatus }));
      for (const wake of this.waiters) wake();
    });
  }

  static async open(port: number): Promise<TestClient> {
    const session = smpp.connect({ host: '127.0.0.1', port });
    session.on('error', () => {});
    await new Promise<void>((resolve) => session.once('connect', () => resolve()));
    session.socket.setNoDelay(true);
    return new TestClient(session);
  }

  /** Connect and bind; returns the client and the bind response. */
  static async bind(
    port: number,
    fields: Record<string, unknown> = { system_id: 'test', password: 'pw' },
    command: 'bind_transceiver' | 'bind_transmitter' | 'bind_receiver' = 'bind_transceiver',
  ): Promise<{ client: TestClient; resp: PDU }> {
    const client = await TestClient.open(port);
    const resp = await client.request(command, fields);
    return { client, resp };
  }

  request(command: string, fields: Record<string, unknown> = {}): Promise<PDU> {
    return new Promise((resolve, reject) => {
      if (!this.session.send(new smpp.PDU(command, fields), resolve))
        reject(new Error('socket not writable'));
    });
  }

  submit(fields: Record<string, unknown> = {}): Promise<PDU> {
    return this.request('submit_sm', {
      source_addr: 'Test',
      source_addr_ton: 5,
      destination_addr: '447911123456',
      dest_addr_ton: 1,
      dest_addr_npi: 1,
      short_message: Buffer.from('hello'),
      ...fields,
    });
  }

  /** Resolves once `count` deliver_sm have arrived in total; rejects after timeoutMs. */
  waitForDelivered(count: number, timeoutMs = 2_000): Promise<PDU[]> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.delivered.length < count) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(this.delivered.slice(0, count));
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`expected ${count} deliver_sm, got ${this.delivered.length}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  async close(): Promise<void> {
    this.session.destroy();
    await this.closed;
  }
}

/** The decoded text of a short_message the package decoded for us. */
export function textOf(field: unknown): string {
  if (typeof field === 'object' && field !== null && 'message' in field) {
    const message = (field as { message: unknown }).message;
    return Buffer.isBuffer(message) ? message.toString('latin1') : String(message);
  }
  return String(field);
}

/** A plain TCP connection, for bytes the smpp package would never send. */
export async function rawSocket(port: number): Promise<Socket> {
  const socket = new Socket();
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.connect(port, '127.0.0.1', resolve));
  return socket;
}

/** An SMPP header (and body) as raw bytes. */
export function rawPdu(commandId: number, sequence: number, body: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt32BE(16 + body.length, 0);
  header.writeUInt32BE(commandId, 4);
  header.writeUInt32BE(0, 8);
  header.writeUInt32BE(sequence, 12);
  return Buffer.concat([header, body]);
}

/** Reads whole PDUs' headers off a raw socket. */
export function nextHeader(
  socket: Socket,
  timeoutMs = 1_000,
): Promise<{ id: number; status: number; seq: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no PDU')), timeoutMs);
    socket.once('data', (data: Buffer) => {
      clearTimeout(timer);
      resolve({ id: data.readUInt32BE(4), status: data.readUInt32BE(8), seq: data.readUInt32BE(12) });
    });
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Poll until fn() is true (for counters updated after a PDU was written). */
export async function eventually(fn: () => boolean, timeoutMs = 1_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(2);
  }
}
