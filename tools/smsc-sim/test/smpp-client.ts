/// <reference types="@maskline/smpp-types" />
import smpp, { type PDU, type Session } from 'smpp';

/** A minimal SMPP client for driving the simulator in tests. */
export class TestClient {
  readonly delivered: PDU[] = [];
  deliverStatus = 0;

  private constructor(readonly session: Session) {}

  static async connect(port: number, bind: Record<string, unknown> = { system_id: 'test', password: 'pw' }) {
    const session = smpp.connect({ host: '127.0.0.1', port });
    session.on('error', () => {});
    await new Promise<void>((resolve) => session.once('connect', () => resolve()));
    session.socket.setNoDelay(true);
    const client = new TestClient(session);
    session.on('deliver_sm', (pdu: PDU) => {
      client.delivered.push(pdu);
      session.send(pdu.response({ command_status: client.deliverStatus }));
    });
    const resp = await client.request('bind_transceiver', bind);
    return { client, bindStatus: resp.command_status };
  }

  request(command: string, fields: Record<string, unknown> = {}): Promise<PDU> {
    return new Promise((resolve) => {
      this.session.send(new smpp.PDU(command, fields), resolve);
    });
  }

  submit(fields: Record<string, unknown>): Promise<PDU> {
    return this.request('submit_sm', { source_addr: 'Test', destination_addr: '447911123456', ...fields });
  }

  async waitForDelivered(count: number, timeoutMs = 3_000): Promise<PDU[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.delivered.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    return this.delivered;
  }

  close(): void {
    this.session.destroy();
  }
}

export function text(value: unknown): string {
  return typeof value === 'object' && value !== null && 'message' in value
    ? String((value as { message: unknown }).message)
    : String(value);
}
