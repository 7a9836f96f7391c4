/// <reference types="@maskline/smpp-types" preserve="true" />
import smpp, { type Server, type Session } from 'smpp';
import { type BindMode, type SessionContext, SmscSession } from './smsc-session.js';

/**
 * The SMPP listener: accepts connections, keeps the live sessions and finds a receiving
 * session for deliver_sm.
 */
export class SmscServer {
  private readonly server: Server;
  private readonly sessionContext: SessionContext;
  private readonly sessions = new Set<SmscSession>();
  private nextId = 1;
  private turn = 0;

  constructor(private readonly context: Omit<SessionContext, 'bindsOf'>) {
    this.sessionContext = {
      credentials: context.credentials,
      maxBinds: context.maxBinds,
      bindsOf: (systemId) => this.bindsOf(systemId),
      counters: context.counters,
      logger: context.logger,
      bound: (s) => {
        const binds = [...this.sessions].filter((x) => x.mode !== null).length;
        context.counters.peakBinds = Math.max(context.counters.peakBinds, binds);
        context.bound(s);
      },
      submit: (s, pdu) => context.submit(s, pdu),
      internalError: (error) => context.internalError(error),
      closed: (s) => {
        this.sessions.delete(s);
        context.closed(s);
      },
    };
    this.server = smpp.createServer((session) => this.accept(session));
    this.server.on('error', (error) => context.logger.warn({ err: error.message }, 'smpp server error'));
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const address = this.server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  /**
   * A session bound to receive: `preferred` when it can, else another receiving bind of
   * `systemId` (any system_id when null), taking turns. Null when none is bound.
   */
  receiverFor(systemId: string | null, preferred?: SmscSession): SmscSession | null {
    if (preferred?.canReceive) return preferred;
    const candidates: SmscSession[] = [];
    for (const s of this.sessions) {
      if (s.canReceive && (systemId === null || s.systemId === systemId)) candidates.push(s);
    }
    if (candidates.length === 0) return null;
    this.turn = (this.turn + 1) % 1_000_000;
    return candidates[this.turn % candidates.length]!;
  }

  /** Any bound session (of `systemId` when given), newest first. */
  boundSession(systemId?: string): SmscSession | null {
    const bound = [...this.sessions].filter(
      (s) => s.isBound && (systemId === undefined || s.systemId === systemId),
    );
    return bound.at(-1) ?? null;
  }

  bindsOf(systemId: string): number {
    let count = 0;
    for (const s of this.sessions) if (s.mode && s.systemId === systemId) count += 1;
    return count;
  }

  connections(): number {
    return this.sessions.size;
  }

  binds(): Record<BindMode, number> {
    const binds: Record<BindMode, number> = { transceiver: 0, transmitter: 0, receiver: 0 };
    for (const s of this.sessions) if (s.mode) binds[s.mode] += 1;
    return binds;
  }

  /** Stop listening, unbind and close every session, wait until all are gone. */
  async close(): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.all([...this.sessions].map((s) => s.close()));
    await stopped;
  }

  private accept(session: Session): void {
    try {
      this.sessions.add(new SmscSession(this.nextId++, session, this.sessionContext));
    } catch (error) {
      session.socket.destroy();
      this.context.internalError(error);
    }
  }
}
