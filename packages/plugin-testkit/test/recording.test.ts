import { describe, expect, it } from 'vitest';
import { linesLeaking, RecordingSink, recordingLogger } from '../src/index.js';

describe('recordingLogger and linesLeaking', () => {
  it('records every level with child bindings and finds a number with or without its +', () => {
    const logger = recordingLogger();
    logger.child({ carrier: 'x' }).info({ addr: '447700900123' }, 'bound');
    logger.debug({}, 'body was Hello there');
    logger.warn({ count: 1 }, 'clean');
    expect(logger.lines.map((l) => l.level)).toEqual(['info', 'debug', 'warn']);
    expect(logger.lines[0]?.fields).toEqual({ carrier: 'x', addr: '447700900123' });
    expect(linesLeaking(logger.lines, ['+447700900123', 'Hello there'])).toHaveLength(2);
    expect(linesLeaking(logger.lines, ['+15550001111'])).toEqual([]);
  });
});

describe('RecordingSink', () => {
  it('refuses the next publishes when told, recording every attempt', async () => {
    const sink = new RecordingSink();
    const receipt = {
      type: 'receipt',
      carrierMessageId: 'a',
      outcome: 'delivered',
      carrierStatus: 'DELIVRD',
    } as const;
    sink.refuseNext(1);
    await expect(sink.publish(receipt)).rejects.toThrow(/could not make the event durable/);
    await sink.publish(receipt);
    expect(sink.attempts).toHaveLength(2);
    expect(sink.receipts('a')).toEqual([receipt]);
    expect(sink.inbound()).toEqual([]);
  });
});
