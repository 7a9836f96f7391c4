/**
 * Kannel's configuration for the side-by-side run, and its sendsms request. Pure: the
 * harness writes the text into the run's temp dir and starts bearerbox + smsbox on it.
 */
export interface KannelConfigInput {
  /** Directory for bearerbox.log / smsbox.log. */
  logDir: string;
  adminPort: number;
  adminPassword: string;
  /** bearerbox ↔ smsbox port. */
  smsboxPort: number;
  sendsmsPort: number;
  /** The SMSC simulator. */
  smscHost: string;
  smscPort: number;
  /** SMPP connections (one smsc group each, all with smsc-id "sim"): Maskline's total binds. */
  connections: number;
  /** max-pending-submits: Maskline's windowSize. */
  window: number;
  username: string;
  password: string;
  /** Kannel log-level: 0 debug … 4 panic. */
  logLevel?: number;
  /**
   * Where bearerbox keeps its queue: 'memory' (Debian's default: no store, lost on a crash)
   * or a file store (`store-type = file`, `store-location` this path).
   */
  store?: { type: 'memory' } | { type: 'file'; location: string };
}

/** Kannel's message store in a run: its queue in memory, or in a store file. */
export type KannelStore = 'memory' | 'file';

/** Kannel's config syntax: strings quoted, with " and \ escaped. */
function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function group(name: string, fields: Record<string, string | number | boolean>): string {
  const lines = Object.entries(fields).map(
    ([key, value]) => `${key} = ${typeof value === 'string' ? quote(value) : String(value)}`,
  );
  return [`group = ${name}`, ...lines].join('\n');
}

/**
 * One file with every group bearerbox and smsbox read: no throughput cap, delivery
 * reports kept in bearerbox's memory (dlr-storage internal), the SMPP window as
 * max-pending-submits. By default no store (messages held in memory, as in Kannel's
 * default set-up); with a file store, bearerbox appends every message and every ack to
 * the store file (Kannel 1.4.5 fflush()es each record but does not fsync it) and
 * rewrites it every store-dump-freq seconds (default 10).
 */
export function kannelConfig(input: KannelConfigInput): string {
  const logLevel = input.logLevel ?? 2;
  const store: Record<string, string> =
    input.store?.type === 'file' ? { 'store-type': 'file', 'store-location': input.store.location } : {};
  const groups = [
    group('core', {
      'admin-port': input.adminPort,
      'admin-password': input.adminPassword,
      'status-password': input.adminPassword,
      'admin-allow-ip': '127.0.0.1',
      'smsbox-port': input.smsboxPort,
      'box-allow-ip': '127.0.0.1',
      'log-file': `${input.logDir}/bearerbox.log`,
      'log-level': logLevel,
      'dlr-storage': 'internal',
      ...store,
    }),
    ...Array.from({ length: input.connections }, () =>
      group('smsc', {
        smsc: 'smpp',
        'smsc-id': 'sim',
        host: input.smscHost,
        port: input.smscPort,
        'transceiver-mode': true,
        'smsc-username': 'kannel',
        'smsc-password': 'secret',
        'system-type': '',
        'max-pending-submits': input.window,
        'reconnect-delay': 1,
        'enquire-link-interval': 30,
      }),
    ),
    group('smsbox', {
      'bearerbox-host': '127.0.0.1',
      'bearerbox-port': input.smsboxPort,
      'sendsms-port': input.sendsmsPort,
      'log-file': `${input.logDir}/smsbox.log`,
      'log-level': logLevel,
    }),
    group('sendsms-user', {
      username: input.username,
      password: input.password,
      'max-messages': 1,
      concatenation: false,
    }),
    // smsbox wants a service for mobile-originated messages; none arrive in the bench.
    group('sms-service', { keyword: 'default', text: 'ok', 'omit-empty': true }),
  ];
  return `${groups.join('\n\n')}\n`;
}

/** Delivery-report types Kannel reports with dlr-mask 31 (the `%d` of a dlr-url). */
export const DLR = { delivered: 1, failed: 2, buffered: 4, smscAck: 8, smscReject: 16 } as const;

export interface SendsmsInput {
  sendsmsPort: number;
  username: string;
  password: string;
  from: string;
  to: string;
  text: string;
  /** Kannel calls this for every report, with `%d` replaced by the report type. */
  dlrUrl: string;
  dlrMask?: number;
}

/** The sendsms GET URL for one message, with dlr-mask 31 (every report) by default. */
export function sendsmsUrl(input: SendsmsInput): string {
  const query = new URLSearchParams({
    username: input.username,
    password: input.password,
    from: input.from,
    to: input.to,
    text: input.text,
    'dlr-mask': String(input.dlrMask ?? 31),
    'dlr-url': input.dlrUrl,
  });
  return `http://127.0.0.1:${input.sendsmsPort}/cgi-bin/sendsms?${query.toString()}`;
}
