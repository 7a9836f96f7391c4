/// <reference types="@maskline/smpp-types" preserve="true" />
import type { AddressInfo } from 'node:net';
import smpp, { type PDU, type Session } from 'smpp';

/** What the test SMSC does with one submit_sm: answer now, later, with a status, or never. */
export interface SubmitReply {
  status?: number;
  delayMs?: number;
  /** Never answer. */
  silent?: boolean;
}

export interface TestSmscOptions {
  /** Listen on this port (default: an ephemeral one). */
  port?: number;
  password?: string;
  /** Serve SMPP over TLS with this key and certificate. */
  tls?: { key: string; cert: string };
  /** Keep a socket open after the client's FIN (an SMSC that never closes its side). */
  allowHalfOpen?: boolean;
  /** Answer bind_transceiver with something else than bind_transceiver_resp, or not at all. */
  bindAnswer?: 'generic_nack' | 'none';
  answerEnquireLink?: (count: number) => boolean;
  onSubmit?: (pdu: PDU, session: Session) => SubmitReply | undefined;
}

/**
 * A tiny SMSC for the tests, on 127.0.0.1 and an ephemeral port. It records every PDU a
 * client sends and answers bind / submit_sm / enquire_link / unbind.
 */
export class TestSmsc {
  readonly received: Array<{ session: Session; pdu: PDU }> = [];
  readonly sessions: Session[] = [];
  binds = 0;
  enquireLinks = 0;
  outstanding = 0;
  maxOutstanding = 0;
  #messageSeq = 0;
  readonly #waiters: Array<() => void> = [];

  private constructor(
    readonly server: smpp.Server,
    readonly options: TestSmscOptions,
  ) {}

  static async start(options: TestSmscOptions = {}): Promise<TestSmsc> {
    let smsc: TestSmsc | undefined;
    const serverOptions = { ...options.tls, ...(options.allowHalfOpen ? { allowHalfOpen: true } : {}) };
    const server = smpp.createServer(serverOptions, (session) => smsc!.accept(session));
    smsc = new TestSmsc(server, options);
    server.on('error', () => {});
    await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
    return smsc;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get boundSessions(): Session[] {
    return this.sessions.filter((s) => !s.socket.destroyed);
  }

  /** The newest client session. */
  get session(): Session {
    const session = this.boundSessions.at(-1);
    if (!session) throw new Error('no client session');
    return session;
  }

  commands(command: string): PDU[] {
    return this.received.filter((r) => r.pdu.command === command).map((r) => r.pdu);
  }

  /** Resolve once `predicate` holds (checked on every PDU and close), or fail after timeoutMs. */
  async waitFor(predicate: () => boolean, timeoutMs = 2000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error('waitFor timed out');
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 10);
      });
    }
  }

  /** Send a PDU to the newest client; resolves with its response. */
  request(command: string, fields: Record<string, unknown>): Promise<PDU> {
    return new Promise((resolve) => {
      this.session.send(new smpp.PDU(command, fields), resolve);
    });
  }

  async close(): Promise<void> {
    for (const session of this.sessions) session.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private notify(): void {
    for (const resolve of this.#waiters.splice(0)) resolve();
  }

  private accept(session: Session): void {
    session.socket.setNoDelay(true);
    session.on('error', () => session.destroy());
    session.on('close', () => this.notify());
    this.sessions.push(session);
    session.on('pdu', (pdu: PDU) => {
      this.received.push({ session, pdu });
      this.handle(session, pdu);
      this.notify();
    });
  }

  private handle(session: Session, pdu: PDU): void {
    switch (pdu.command) {
      case 'bind_transceiver': {
        if (this.options.bindAnswer === 'none') return;
        if (this.options.bindAnswer === 'generic_nack') {
          session.send(new smpp.PDU('generic_nack', { sequence_number: pdu.sequence_number }));
          return;
        }
        const ok = pdu.password === (this.options.password ?? 'secret');
        if (ok) this.binds++;
        session.send(ok ? pdu.response({ system_id: 'test-smsc' }) : pdu.response({ command_status: 0x0e }));
        return;
      }
      case 'enquire_link':
        this.enquireLinks++;
        if (this.options.answerEnquireLink?.(this.enquireLinks) ?? true) session.send(pdu.response());
        return;
      case 'unbind':
        session.send(pdu.response());
        return;
      case 'submit_sm': {
        const reply = this.options.onSubmit?.(pdu, session) ?? {};
        if (reply.silent) return;
        this.outstanding++;
        this.maxOutstanding = Math.max(this.maxOutstanding, this.outstanding);
        const answer = () => {
          this.outstanding--;
          session.send(
            reply.status
              ? pdu.response({ command_status: reply.status })
              : pdu.response({ message_id: `msg-${++this.#messageSeq}` }),
          );
        };
        if (reply.delayMs) setTimeout(answer, reply.delayMs);
        else answer();
        return;
      }
    }
  }
}
