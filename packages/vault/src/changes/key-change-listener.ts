import type pg from 'pg';

/**
 * PostgreSQL channel on which a tenant's key changes are announced (payload:
 * `<kind>:<tenant id>`). A NOTIFY sent inside a transaction is delivered when it commits,
 * so a listener never hears of a shred that was rolled back.
 */
export const KEY_CHANGE_CHANNEL = 'maskline_tenant_keys';

/** added: a new key version (reload); destroyed: keys were destroyed (also forget unwrapped copies). */
export type KeyChangeKind = 'added' | 'destroyed';

/** Anything that can run a query: a pool, or a client inside a transaction. */
export interface Queryable {
  query(text: string, values?: unknown[]): Promise<unknown>;
}

/** Announce that a tenant's keys changed (shredded, destroyed, rotated). */
export async function notifyKeyChange(db: Queryable, tenantId: string, kind: KeyChangeKind): Promise<void> {
  await db.query('SELECT pg_notify($1, $2)', [KEY_CHANGE_CHANNEL, `${kind}:${tenantId}`]);
}

export interface KeyChangeListenerOptions {
  /** A new, unconnected client for the dedicated LISTEN connection. */
  client: () => pg.Client;
  /** A tenant's keys changed in some process: drop what is cached for it. */
  onChange: (tenantId: string, kind: KeyChangeKind) => void;
  /**
   * The connection (re)opened or was lost: notifications may have been missed, so every
   * cached key must be re-read (the cache TTL bounds staleness while it is down).
   */
  onReset: () => void;
  onError?: (error: Error) => void;
  /** Delay before reconnecting after the connection is lost (default 1 s). */
  retryMs?: number;
}

/**
 * Holds one LISTEN connection on KEY_CHANGE_CHANNEL and reconnects it when it drops, so
 * every process forgets a shredded tenant's keys as soon as the shred commits instead of
 * when its cache expires.
 */
export class KeyChangeListener {
  private client: pg.Client | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private connected = false;

  constructor(private readonly options: KeyChangeListenerOptions) {}

  /** True while the LISTEN connection is up. */
  get listening(): boolean {
    return this.connected;
  }

  /** Connect now; resolves once listening (or after the first failure, retrying in the background). */
  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const client = this.client;
    this.client = null;
    this.connected = false;
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = this.options.client();
    this.client = client;
    client.on('notification', (message) => {
      const [kind, tenantId] = (message.payload ?? '').split(':');
      if (message.channel !== KEY_CHANGE_CHANNEL || !tenantId) return;
      this.options.onChange(tenantId, kind === 'added' ? 'added' : 'destroyed');
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, null));
    try {
      await client.connect();
      await client.query(`LISTEN ${KEY_CHANGE_CHANNEL}`);
      if (this.client !== client) return;
      this.connected = true;
      // Anything changed while we were not listening is unknown: start from the table again.
      this.options.onReset();
    } catch (error) {
      this.lost(client, error as Error);
    }
  }

  private lost(client: pg.Client, error: Error | null): void {
    if (this.client !== client) return;
    this.client = null;
    this.connected = false;
    client.end().catch(() => {});
    if (error) this.options.onError?.(error);
    if (this.stopped) return;
    this.options.onReset();
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, this.options.retryMs ?? 1000);
    this.timer.unref();
  }
}
