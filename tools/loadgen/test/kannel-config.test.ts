import { describe, expect, it } from 'vitest';
import { DlrSink } from '../src/kannel.js';
import { DLR, kannelConfig, sendsmsUrl } from '../src/kannel-config.js';

const input = {
  logDir: '/tmp/bench/kannel',
  adminPort: 13000,
  adminPassword: 'pw',
  smsboxPort: 13001,
  sendsmsPort: 13013,
  smscHost: '127.0.0.1',
  smscPort: 2775,
  connections: 1,
  window: 10,
  username: 'bench',
  password: 'bench',
};

/** group name → its fields, in file order. */
function groups(text: string): { name: string; fields: Record<string, string> }[] {
  return text
    .trim()
    .split(/\n\n+/)
    .map((block) => {
      const [head, ...rest] = block.split('\n');
      const fields = Object.fromEntries(
        rest.map((line) => {
          const [key, ...value] = line.split(' = ');
          return [key!, value.join(' = ')];
        }),
      );
      return { name: head!.replace('group = ', ''), fields };
    });
}

describe('kannelConfig', () => {
  it('writes core, one smsc per connection, smsbox and a sendsms user', () => {
    const g = groups(kannelConfig(input));
    expect(g.map((x) => x.name)).toEqual(['core', 'smsc', 'smsbox', 'sendsms-user', 'sms-service']);
    const core = g[0]!.fields;
    expect(core['admin-port']).toBe('13000');
    expect(core['smsbox-port']).toBe('13001');
    expect(core['dlr-storage']).toBe('"internal"');
    expect(core['log-file']).toBe('"/tmp/bench/kannel/bearerbox.log"');
    const smsc = g[1]!.fields;
    expect(smsc).toMatchObject({
      smsc: '"smpp"',
      host: '"127.0.0.1"',
      port: '2775',
      'transceiver-mode': 'true',
      'max-pending-submits': '10',
    });
    // No throughput cap: Kannel's `throughput` is left unset.
    expect(smsc.throughput).toBeUndefined();
    expect(g[2]!.fields).toMatchObject({ 'bearerbox-port': '13001', 'sendsms-port': '13013' });
    expect(g[3]!.fields).toMatchObject({ username: '"bench"', password: '"bench"' });
  });

  it('opens as many SMPP connections as Maskline has binds, all with one smsc-id', () => {
    const g = groups(kannelConfig({ ...input, connections: 3, window: 100 })).filter(
      (x) => x.name === 'smsc',
    );
    expect(g).toHaveLength(3);
    for (const smsc of g) {
      expect(smsc.fields['smsc-id']).toBe('"sim"');
      expect(smsc.fields['max-pending-submits']).toBe('100');
    }
  });

  it('keeps the queue in memory unless asked for a store file', () => {
    for (const text of [kannelConfig(input), kannelConfig({ ...input, store: { type: 'memory' } })]) {
      const core = groups(text)[0]!.fields;
      expect(core['store-type']).toBeUndefined();
      expect(core['store-location']).toBeUndefined();
      expect(core['store-file']).toBeUndefined();
    }
  });

  it('writes store-type file and its store-location in the core group', () => {
    const g = groups(
      kannelConfig({ ...input, store: { type: 'file', location: '/tmp/bench/kannel/kannel.store' } }),
    );
    expect(g[0]!.name).toBe('core');
    expect(g[0]!.fields).toMatchObject({
      'store-type': '"file"',
      'store-location': '"/tmp/bench/kannel/kannel.store"',
    });
    // Only core carries it; the deprecated store-file is not used.
    expect(g[0]!.fields['store-file']).toBeUndefined();
    for (const other of g.slice(1)) expect(other.fields['store-type']).toBeUndefined();
  });

  it('quotes strings the way Kannel reads them', () => {
    const text = kannelConfig({ ...input, adminPassword: 'a"b\\c' });
    expect(text).toContain('admin-password = "a\\"b\\\\c"');
  });
});

describe('sendsmsUrl', () => {
  it('asks for every delivery report, with the dlr-url encoded once', () => {
    const url = new URL(
      sendsmsUrl({
        sendsmsPort: 13013,
        username: 'bench',
        password: 'bench',
        from: 'Bench',
        to: '+447910000001',
        text: 'bench 1',
        dlrUrl: 'http://127.0.0.1:9/dlr?i=1&t=%d',
      }),
    );
    expect(url.pathname).toBe('/cgi-bin/sendsms');
    expect(url.port).toBe('13013');
    expect(url.searchParams.get('to')).toBe('+447910000001');
    expect(url.searchParams.get('text')).toBe('bench 1');
    expect(url.searchParams.get('dlr-mask')).toBe('31');
    expect(url.searchParams.get('dlr-url')).toBe('http://127.0.0.1:9/dlr?i=1&t=%d');
    expect(url.search).toContain('%2B447910000001');
  });
});

describe('DlrSink', () => {
  it('counts each message’s reports once, by type', () => {
    const sink = new DlrSink(3);
    expect(sink.record(`/dlr?i=0&t=${DLR.smscAck}`, 100)).toBe(true);
    sink.record(`/dlr?i=0&t=${DLR.delivered}`, 110);
    sink.record(`/dlr?i=0&t=${DLR.delivered}`, 120); // a repeat
    sink.record(`/dlr?i=1&t=${DLR.failed}`, 130);
    sink.record(`/dlr?i=2&t=${DLR.buffered}`, 140);
    expect(sink.record('/dlr?i=7&t=1', 150)).toBe(false);
    expect(sink.record('/favicon.ico', 150)).toBe(false);
    expect(sink.counts).toEqual({ smscAck: 1, delivered: 1, failed: 1, other: 1 });
    expect(sink.delivered[0]).toBe(120);
    expect(sink.lastDeliveredAt).toBe(120);
    expect(sink.lastAckAt).toBe(100);
    expect(sink.delivered[1]).toBeNaN();
  });
});
