import type { CarrierPlugin } from '@maskline/core';
import { afterEach, describe, expect, it } from 'vitest';
import { smppCarrierPlugin } from '../src/index.js';
import { testConfig, testContext } from './support/context.js';
import { request } from './support/harness.js';
import { CMD, cstr, deliverSmBody, pdu, type RawConnection, RawSmsc } from './support/raw-smsc.js';
import { eventually } from './support/wait.js';

/**
 * Fuzz of the PDU input path: random and mutated byte streams written at a bound client by
 * a fake SMSC over raw TCP. Seeded (SMPP_FUZZ_SEED to reproduce or vary), bounded
 * (SMPP_FUZZ_CASES, default 150) so it stays fast. After each case valid enquire_links
 * probe the link (every 40 ms: a case whose command_length lies can swallow a probe into
 * its frame): the client must answer one (link kept) or reset the connection (it then
 * rebinds) within 2 s; nothing may crash or hang. Bind 0 is never fuzzed and must stay up.
 */
const SEED = Number(process.env.SMPP_FUZZ_SEED ?? 0x5eed_2026);
const CASES = Number(process.env.SMPP_FUZZ_CASES ?? 150);
const PROBE_SEQUENCE = 0x7fff_0000;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function fuzzCase(random: () => number, index: number): Buffer {
  const int = (n: number) => Math.floor(random() * n);
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  const seeds = [
    pdu(CMD.deliver_sm, index + 1, deliverSmBody(Buffer.from('fuzz body'))),
    pdu(CMD.deliver_sm, index + 1, deliverSmBody(Buffer.from([0x05, 0x00, 0x03, 1, 2, 1, 0x41]), 0x40)),
    pdu(CMD.enquire_link, index + 1),
    pdu(CMD.submit_sm_resp, index + 1, cstr('abc')),
    pdu(CMD.generic_nack, index + 1, Buffer.alloc(0), 3),
    pdu(0x0000_0103, index + 1, Buffer.alloc(int(40))), // data_sm with a junk body
  ];
  const valid = seeds[int(seeds.length)]!;
  switch (int(7)) {
    case 0: // pure garbage
      return bytes(1 + int(64));
    case 1: {
      // flip a few bytes anywhere, header included
      const copy = Buffer.from(valid);
      for (let i = 0, n = 1 + int(4); i < n; i++) copy[int(copy.length)] = int(256);
      return copy;
    }
    case 2: // truncated frame
      return valid.subarray(0, int(valid.length));
    case 3: {
      // command_length lies (shorter or longer than the frame)
      const copy = Buffer.from(valid);
      copy.writeUInt32BE(Math.max(0, valid.length + int(41) - 20), 0);
      return copy;
    }
    case 4: {
      // random command_id
      const copy = Buffer.from(valid);
      copy.writeUInt32BE((int(0x10000) | (random() < 0.5 ? 0x8000_0000 : 0)) >>> 0, 4);
      return copy;
    }
    case 5: // valid then garbage, in one write
      return Buffer.concat([valid, bytes(1 + int(32))]);
    default: {
      // a huge or absurd command_length
      const copy = Buffer.from(valid);
      copy.writeUInt32BE([0xffff_ffff, 0x7fff_ffff, 16_385, 15, 1][int(5)]!, 0);
      return copy;
    }
  }
}

describe('SMPP input fuzz', () => {
  let smsc: RawSmsc | undefined;
  let plugin: CarrierPlugin | undefined;
  afterEach(async () => {
    await plugin?.close();
    await smsc?.close();
  });

  it(`survives ${CASES} random and mutated PDU streams (seed ${SEED})`, { timeout: 60_000 }, async () => {
    smsc = await RawSmsc.start();
    const ctx = testContext();
    plugin = smppCarrierPlugin.create(
      ctx,
      testConfig(smsc.port, {
        binds: 2,
        reconnectMinMs: 1,
        reconnectMaxMs: 5,
        pduReadTimeoutMs: 30,
        requestTimeoutMs: 500,
        moReassemblyTimeoutMs: 50,
      }),
    );
    await plugin.start();
    await eventually(() => plugin!.health().status === 'up');
    const good = smsc.connections[0]!;
    const random = mulberry32(SEED);
    let kept = 0;
    let reset = 0;

    const liveFuzzTarget = async (): Promise<RawConnection> => {
      await eventually(() => {
        const target = smsc!.connections.at(-1)!;
        return target !== good && target.bound && !target.socket.destroyed && !target.socket.readableEnded;
      }, 3000);
      return smsc!.connections.at(-1)!;
    };

    for (let index = 0; index < CASES; index++) {
      const target = await liveFuzzTarget();
      const probe = PROBE_SEQUENCE + index * 100;
      const before = target.frames.length;
      const bytes = fuzzCase(random, index);
      target.socket.write(bytes);
      let probes = 0;
      const sendProbe = () => {
        if (!target.socket.destroyed && probes < 50)
          target.socket.write(pdu(CMD.enquire_link, probe + probes++));
      };
      sendProbe();
      const prober = setInterval(sendProbe, 40);
      const answered = () =>
        target.frames
          .slice(before)
          .some(
            (f) => f.commandId === CMD.enquire_link_resp && f.sequence >= probe && f.sequence < probe + 100,
          );
      const gone = () => target.socket.destroyed || target.socket.readableEnded;
      try {
        await eventually(() => answered() || gone(), 2000);
      } catch {
        const sent = target.frames.slice(before).map((f) => f.commandId.toString(16));
        throw new Error(
          `fuzz case ${index} (seed ${SEED}): link neither answered nor reset; input ${bytes.toString('hex')}, client sent [${sent}]`,
        );
      } finally {
        clearInterval(prober);
      }
      if (answered()) kept++;
      else reset++;
    }
    // Both outcomes must have happened, or the cases are not exercising anything.
    expect(kept).toBeGreaterThan(0);
    expect(reset).toBeGreaterThan(0);
    // The unfuzzed bind was never dropped and the carrier still submits.
    expect(good.socket.destroyed).toBe(false);
    await eventually(() => plugin!.health().status === 'up', 3000);
    const results = await Promise.all(Array.from({ length: 10 }, () => plugin!.submit(request)));
    expect(results.every((r) => r.carrierMessageId.startsWith('raw'))).toBe(true);
  });
});
