import type { InboundEvent } from '@maskline/core';
import { describe, expect, it } from 'vitest';
import type { MoPart } from '../src/internal-types.js';
import { type Completed, MoReassembler } from '../src/mo-reassembly.js';
import { captureLogger } from './support/capture-logger.js';
import { eventually, sleep } from './support/wait.js';

const event: InboundEvent = {
  type: 'inbound',
  from: '+447700900123',
  to: '+15550001111',
  body: '',
  receivedAt: 'T',
};
const part = (key: string, seq: number, text: string, total = 2): MoPart => ({
  key,
  total,
  seq,
  octets: Buffer.from(text, 'latin1'),
  dataCoding: 0x03,
});

function reassembler(overrides: Partial<ConstructorParameters<typeof MoReassembler>[0]> = {}) {
  const published: InboundEvent[] = [];
  const logger = captureLogger();
  const mo = new MoReassembler({
    timeoutMs: 10_000,
    incomplete: 'publish',
    missingMarker: '[…]',
    maxPending: 100,
    publish: async (e) => {
      published.push(e);
    },
    logger,
    ...overrides,
  });
  return { mo, published, logger };
}

describe('MoReassembler', () => {
  it('joins parts in order, whatever order they come in', () => {
    const { mo } = reassembler();
    expect(mo.add(part('k', 2, 'world'), event)).toBe('held');
    const done = mo.add(part('k', 1, 'hello '), event) as Completed;
    expect(done.event).toEqual({ ...event, body: 'hello world' });
    expect(mo.pending).toBe(0);
  });

  it('tells a late repeat of a completed part from a new message with the same key', () => {
    const { mo } = reassembler();
    mo.add(part('k', 1, 'a'), event);
    mo.add(part('k', 2, 'b'), event);
    expect(mo.add(part('k', 2, 'b'), event)).toBe('duplicate');
    expect(mo.add(part('k', 1, 'other'), event)).toBe('held'); // same reference reused, new text
    expect((mo.add(part('k', 2, '!'), event) as Completed).event.body).toBe('other!');
  });

  it('finishes the oldest held message early when maxPending is reached', async () => {
    const { mo, published, logger } = reassembler({ maxPending: 2 });
    mo.add(part('a', 1, 'A'), event);
    mo.add(part('b', 1, 'B'), event);
    mo.add(part('c', 1, 'C'), event);
    expect(mo.pending).toBe(2);
    await eventually(() => published.length === 1);
    expect(published[0]?.body).toBe('A[…]');
    expect(JSON.stringify(logger.lines)).not.toContain('447700900123');
  });

  it('retries publishing an incomplete message, then gives up and logs it without content', async () => {
    let calls = 0;
    const { mo, logger } = reassembler({
      timeoutMs: 5,
      maxPublishAttempts: 3,
      publish: async () => {
        calls++;
        throw new Error('down');
      },
    });
    mo.add(part('k', 1, 'secret'), event);
    await eventually(() => logger.lines.some((l) => l.level === 'error'), 3000);
    expect(calls).toBe(3);
    expect(logger.lines.at(-1)?.fields).toMatchObject({ total: 2, received: 1 });
    expect(JSON.stringify(logger.lines)).not.toContain('secret');
  });

  it('restore() holds the other parts again after a failed publish', async () => {
    const { mo } = reassembler();
    mo.add(part('k', 1, 'x'), event);
    const done = mo.add(part('k', 2, 'y'), event) as Completed;
    done.restore();
    expect(mo.pending).toBe(1);
    expect((mo.add(part('k', 2, 'y'), event) as Completed).event.body).toBe('xy');
    await sleep(1);
  });
});
