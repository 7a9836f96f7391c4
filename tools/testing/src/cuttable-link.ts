import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP relay to a real server that a test can cut: `cut()` resets every open connection
 * and refuses new ones (what a client sees when the server goes away), `refuseNew()`
 * only refuses new ones, `restore()` accepts again on the same port.
 */
export class CuttableLink {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async open(): Promise<this> {
    const server = createServer((client) => {
      const upstream = createConnection({ host: this.targetHost, port: this.targetPort });
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
    return this;
  }

  /** New connections are refused; open ones keep working (e.g. to carry a server's goodbye). */
  refuseNew(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return Promise.resolve();
    return new Promise<void>((resolve) => {
      server.close(() => resolve());
      // close() calls back only once every connection has ended: do not wait for that.
      setImmediate(resolve);
    });
  }

  /** Refuses new connections and resets every open one. */
  async cut(): Promise<void> {
    await this.refuseNew();
    for (const s of this.sockets) s.resetAndDestroy();
  }

  restore(): Promise<this> {
    return this.open();
  }

  close(): Promise<void> {
    return this.cut();
  }
}
