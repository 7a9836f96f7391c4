import type { CarrierPlugin, InboundEvent, ReceiptEvent } from '@maskline/core';
import { ensureNetSmpp } from '@maskline/local-infra';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { encodeText } from '../../src/encoding.js';
import { smppCarrierPlugin } from '../../src/index.js';
import {
  type SmppTestOverrides,
  type TestContext,
  testConfig,
  testContext,
  withPassword,
} from '../support/context.js';
import { request } from '../support/harness.js';
import { eventually as waitUntil } from '../support/wait.js';

/** Generous: the Perl SMSC is a separate process and CI machines are shared. */
const eventually = (predicate: () => boolean) => waitUntil(predicate, 5000);

import { NetSmppSmsc } from './net-smpp-smsc.js';

/**
 * Interop: the plugin against an SMSC written on Net::SMPP (Perl, libnet-smpp-perl), an
 * SMPP implementation that shares no code with the `smpp` npm package. The Debian package
 * is installed when missing (needs root or passwordless sudo).
 */
const GSM_SPECIALS = 'Hi @ $ € { } [ ] ~ \\ ^ | é';
const CHINESE = '【京东】您的验证码5026,该验证码5分钟内有效';

describe('interop with a Net::SMPP SMSC', () => {
  let smsc: NetSmppSmsc;
  let ctx: TestContext;
  const plugins: CarrierPlugin[] = [];
  const startPlugin = async ({ password, ...overrides }: SmppTestOverrides = {}) => {
    const plugin = smppCarrierPlugin.create(
      withPassword(ctx, password),
      testConfig(smsc.port, { requestTimeoutMs: 2000, ...overrides }),
    );
    plugins.push(plugin);
    await plugin.start();
    await eventually(() => plugin.health().status === 'up');
    return plugin;
  };
  const receipts = () => ctx.published.filter((e): e is ReceiptEvent => e.type === 'receipt');
  const inbound = () => ctx.published.filter((e): e is InboundEvent => e.type === 'inbound');
  /** The SUBMIT event of a message id, as a record. */
  const submitted = (id: string) =>
    smsc.waitFor(() => {
      const e = smsc.of('SUBMIT').find((words) => words[1]?.toLowerCase().replace(/^0+/, '') === id);
      if (!e) return undefined;
      const [
        conn,
        messageId,
        esmClass,
        dataCoding,
        registered,
        ,
        source,
        ,
        destination,
        shortHex,
        payloadHex,
        sar,
      ] = e;
      return {
        conn,
        messageId,
        esmClass,
        dataCoding,
        registered,
        source,
        destination,
        shortHex,
        payloadHex,
        sar,
      };
    });

  beforeAll(() => {
    ensureNetSmpp((line) => console.log(`[interop] ${line}`));
  });
  beforeEach(async () => {
    smsc = await NetSmppSmsc.start();
    ctx = testContext();
  });
  afterEach(async () => {
    await Promise.all(plugins.splice(0).map((p) => p.close()));
    await smsc.stop();
  });

  it('binds as a transceiver with interface_version 0x34, and unbinds on close()', async () => {
    const plugin = await startPlugin();
    // The SMSC's stdout can trail the socket: wait for its event lines.
    await smsc.waitFor(() => smsc.of('BIND').length === 1);
    expect(smsc.of('BIND')).toEqual([['0', 'bind_transceiver', 'maskline', '34']]);
    await plugin.close();
    await smsc.waitFor(() => smsc.of('UNBIND').length === 1);
    await smsc.waitFor(() => smsc.of('CLOSED').length === 1);
  });

  it('reports a refused bind with its SMPP status name', async () => {
    const error = await startPlugin({ password: 'wrong' }).catch((e: Error) => e);
    expect(String(error)).toContain('ESME_RINVPASWD');
  });

  it('submits GSM 03.38 specials and Chinese UCS-2 byte-exact, data_coding set', async () => {
    const plugin = await startPlugin();
    const gsm = await plugin.submit({ ...request, body: GSM_SPECIALS, requestReceipt: false });
    const ucs2 = await plugin.submit({ ...request, body: CHINESE, requestReceipt: false });
    const a = await submitted(gsm.carrierMessageId);
    expect(a).toMatchObject({
      dataCoding: '0',
      esmClass: '0',
      registered: '0',
      destination: '447700900123',
      payloadHex: '-',
    });
    expect(a.shortHex).toBe(encodeText(GSM_SPECIALS).bytes.toString('hex'));
    expect(a.shortHex).toBe(
      '48692000200220' + '1b6520' + '1b28201b2920' + '1b3c201b3e20' + '1b3d201b2f20' + '1b14201b4020' + '05',
    );
    const b = await submitted(ucs2.carrierMessageId);
    expect(b).toMatchObject({ dataCoding: '8' });
    expect(b.shortHex).toBe(Buffer.from(CHINESE, 'utf16le').swap16().toString('hex'));
  });

  it('splits long messages as configured: UDH 8-bit, SAR TLVs, message_payload', async () => {
    const long = `${CHINESE} `.repeat(4); // 100 UCS-2 units: 2 parts
    const udh = await (await startPlugin()).submit({ ...request, body: long, requestReceipt: false });
    const parts = await Promise.all(udh.partIds.map(submitted));
    expect(parts.map((p) => p.esmClass)).toEqual(['64', '64']);
    const headers = parts.map((p) => p.shortHex!.slice(0, 12));
    expect(headers[0]).toMatch(/^050003[0-9a-f]{2}0201$/);
    expect(headers[1]).toBe(`${headers[0]!.slice(0, 8)}0202`);
    const octets = Buffer.concat(parts.map((p) => Buffer.from(p.shortHex!, 'hex').subarray(6)));
    expect(octets.toString('hex')).toBe(Buffer.from(long, 'utf16le').swap16().toString('hex'));

    const sar = await (await startPlugin({ longMessages: 'sar' })).submit({
      ...request,
      body: long,
      requestReceipt: false,
    });
    const sarParts = await Promise.all(sar.partIds.map(submitted));
    expect(sarParts.map((p) => p.sar!.split('/').slice(1))).toEqual([
      ['2', '1'],
      ['2', '2'],
    ]);
    const payload = await (await startPlugin({ longMessages: 'payload' })).submit({
      ...request,
      body: long,
      requestReceipt: false,
    });
    const whole = await submitted(payload.carrierMessageId);
    expect(whole.shortHex).toBe('-');
    expect(whole.payloadHex).toBe(Buffer.from(long, 'utf16le').swap16().toString('hex'));
  });

  it('matches the receipt (lower-case id without leading zeros) to the submit_sm_resp id', async () => {
    const plugin = await startPlugin();
    const result = await plugin.submit(request);
    await eventually(() => receipts().length === 1);
    expect(receipts()[0]).toMatchObject({
      carrierMessageId: result.carrierMessageId,
      outcome: 'delivered',
      carrierStatus: 'DELIVRD',
    });
    await smsc.waitFor(() => smsc.of('DELIVER_RESP').some((e) => e[2] === '0'));
  });

  it('receives MO (GSM and UCS-2) and acknowledges it after publishing', async () => {
    await startPlugin();
    smsc.send(`MO 0 447700900123 15550001111 0 ${encodeText('STOP {now} €').bytes.toString('hex')}`);
    smsc.send(`MO 0 447700900123 15550001111 8 ${Buffer.from(CHINESE, 'utf16le').swap16().toString('hex')}`);
    await eventually(() => inbound().length === 2);
    expect(inbound().map((e) => [e.from, e.to, e.body])).toEqual([
      ['+447700900123', '+15550001111', 'STOP {now} €'],
      ['+447700900123', '+15550001111', CHINESE],
    ]);
    await smsc.waitFor(() => smsc.of('DELIVER_RESP').length === 2);
    expect(smsc.of('DELIVER_RESP').map((e) => e[2])).toEqual(['0', '0']);
  });

  it('answers the SMSC enquire_link and sends its own on the interval', async () => {
    await startPlugin({ enquireLinkIntervalMs: 50 });
    smsc.send('ENQUIRE 0');
    await smsc.waitFor(() => smsc.of('ENQUIRE_RESP').length === 1);
    await smsc.waitFor(() => smsc.of('ENQUIRE').length >= 2);
  });

  it('answers an unbind from the SMSC and binds again', async () => {
    const plugin = await startPlugin();
    smsc.send('UNBIND 0');
    await smsc.waitFor(() => smsc.of('UNBIND_RESP').length === 1);
    await smsc.waitFor(() => smsc.of('BIND').length === 2);
    await eventually(() => plugin.health().status === 'up');
    const result = await plugin.submit({ ...request, requestReceipt: false });
    expect((await submitted(result.carrierMessageId)).conn).toBe('1');
  });

  it('binds a transmitter + receiver pair: submits on TX, the receipt arrives on RX', async () => {
    const plugin = await startPlugin({ bindMode: 'transmitter-receiver' });
    await smsc.waitFor(() => smsc.of('BIND').length === 2);
    expect(
      smsc
        .of('BIND')
        .map((e) => e[1])
        .sort(),
    ).toEqual(['bind_receiver', 'bind_transmitter']);
    const result = await plugin.submit(request);
    const tx = smsc.of('BIND').find((e) => e[1] === 'bind_transmitter')![0];
    expect((await submitted(result.carrierMessageId)).conn).toBe(tx);
    await eventually(() => receipts().length === 1);
    expect(receipts()[0]?.carrierMessageId).toBe(result.carrierMessageId);
  });
});
