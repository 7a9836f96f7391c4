import { MasklineError } from '@maskline/core';
import { createLogger, maskPhoneLike, REDACTION_CENSOR, scrubValue } from '@maskline/logging';
import { describe, expect, it } from 'vitest';

const SECRETS = {
  to: '+8613812345678',
  from: '+447911123456',
  nestedTo: '+4915123456789',
  inErr: '+33612345678',
  inMsg: '+8613812345678',
  deep: '+819012345678',
  spaced: '+44 7911 123 456',
  body: 'Your verification code is 482913',
} as const;

/** The digits of each secret, so a reformatted leak (without + or spaces) is caught too. */
const SECRET_DIGITS = Object.values(SECRETS)
  .filter((s) => s.startsWith('+'))
  .map((s) => s.replace(/\D/g, ''));

const MESSAGE_ID = '01a21146-e3d6-7840-b0f7-e9fd43180216';
const TENANT_ID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const CREATED_AT = '2026-11-25T05:57:16.846Z';

function capture() {
  const lines: string[] = [];
  const logger = createLogger({
    service: 'test',
    level: 'debug',
    destination: {
      write(line: string) {
        lines.push(line);
      },
    },
  });
  const output = () => lines.join('');
  const records = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, lines, output, records };
}

function expectNoSecrets(output: string): void {
  for (const value of Object.values(SECRETS)) expect(output).not.toContain(value);
  for (const digits of SECRET_DIGITS) expect(output).not.toContain(digits);
  expect(output).not.toContain('482913');
}

describe('createLogger redaction', () => {
  it('censors private fields, masks phone numbers and keeps ids and timestamps', () => {
    const { logger, lines, output, records } = capture();
    logger.info(
      {
        messageId: MESSAGE_ID,
        tenantId: TENANT_ID,
        createdAt: CREATED_AT,
        segments: 2,
        to: SECRETS.to,
        from: SECRETS.from,
        body: SECRETS.body,
        nested: { to: SECRETS.nestedTo },
        request: { payload: { recipient: { number: SECRETS.deep } } },
        note: `retrying ${SECRETS.spaced}`,
      },
      `sending to ${SECRETS.inMsg}`,
    );
    logger.error(
      { err: new Error(`carrier refused ${SECRETS.inErr}`), messageId: MESSAGE_ID },
      'submit failed',
    );

    expect(lines).toHaveLength(2);
    expectNoSecrets(output());

    const [info, error] = records();
    expect(info).toMatchObject({
      messageId: MESSAGE_ID,
      tenantId: TENANT_ID,
      createdAt: CREATED_AT,
      segments: 2,
      to: REDACTION_CENSOR,
      from: REDACTION_CENSOR,
      body: REDACTION_CENSOR,
      nested: { to: REDACTION_CENSOR },
      request: { payload: { recipient: { number: '[number]' } } },
      note: 'retrying [number]',
      msg: 'sending to [number]',
    });
    expect(error).toMatchObject({ messageId: MESSAGE_ID, msg: 'submit failed' });
    expect((error!.err as { message: string }).message).toBe('carrier refused [number]');
    expect((error!.err as { stack: string }).stack).toContain('carrier refused [number]');
    // Timestamps written by the logger itself stay intact too.
    expect(info!.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('masks a phone number in an error logged on its own (message taken from the error)', () => {
    const { logger, output, records } = capture();
    logger.error(new Error(`no route to ${SECRETS.inErr}`));
    logger.warn({ err: new Error(`no route to ${SECRETS.to}`) });
    expectNoSecrets(output());
    const [first, second] = records();
    expect(first!.msg).toBe('no route to [number]');
    expect(second!.msg).toBe('no route to [number]');
  });

  it('masks phone numbers in an error cause and keeps the MasklineError code', () => {
    const { logger, output, records } = capture();
    const cause = new Error(`socket to ${SECRETS.to} closed`);
    logger.error(
      { err: new MasklineError('carrier_unavailable', { cause }), messageId: MESSAGE_ID },
      'failed',
    );
    expectNoSecrets(output());
    const [record] = records();
    expect(record!.err).toMatchObject({ type: 'MasklineError', code: 'carrier_unavailable' });
    expect(record!.messageId).toBe(MESSAGE_ID);
  });

  it('masks phone numbers in printf-style arguments', () => {
    const { logger, output, records } = capture();
    logger.info('sending %s to %s', MESSAGE_ID, SECRETS.to);
    expectNoSecrets(output());
    expect(records()[0]!.msg).toBe(`sending ${MESSAGE_ID} to [number]`);
  });

  it('censors and masks child logger bindings', () => {
    const { logger, output, records } = capture();
    logger
      .child({ to: SECRETS.to, note: `for ${SECRETS.from}`, messageId: MESSAGE_ID })
      .info({}, 'child line');
    expectNoSecrets(output());
    expect(records()[0]).toMatchObject({ to: REDACTION_CENSOR, note: 'for [number]', messageId: MESSAGE_ID });
  });

  it('censors and masks the bindings of grandchildren too', () => {
    const { logger, output, records } = capture();
    const grandchild = logger
      .child({ messageId: MESSAGE_ID })
      .child({ from: SECRETS.from, peer: SECRETS.to });
    grandchild.info({ createdAt: CREATED_AT }, `to ${SECRETS.nestedTo}`);
    expectNoSecrets(output());
    expect(records()[0]).toMatchObject({
      messageId: MESSAGE_ID,
      from: REDACTION_CENSOR,
      peer: '[number]',
      createdAt: CREATED_AT,
      msg: 'to [number]',
    });
  });

  it('masks errors logged under the error key as well', () => {
    const { logger, output, records } = capture();
    logger.warn({ error: new Error(`bad number ${SECRETS.to}`) }, 'rejected');
    expectNoSecrets(output());
    expect((records()[0]!.error as { message: string }).message).toBe('bad number [number]');
  });

  it('masks phone numbers inside arrays', () => {
    const { logger, output, records } = capture();
    logger.info({ recipients: [{ to: SECRETS.to }, SECRETS.from], batchId: TENANT_ID }, 'batch');
    expectNoSecrets(output());
    expect(records()[0]).toMatchObject({ recipients: [{ to: '[number]' }, '[number]'], batchId: TENANT_ID });
  });

  it('writes one valid JSON line per call with level, service and an ISO time', () => {
    const { logger, lines, records } = capture();
    logger.warn({ messageId: MESSAGE_ID }, 'hello');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('\n')).toBe(true);
    expect(records()[0]).toMatchObject({
      level: 'warn',
      service: 'test',
      msg: 'hello',
      messageId: MESSAGE_ID,
    });
  });

  it('respects the level', () => {
    const lines: string[] = [];
    const logger = createLogger({
      service: 'test',
      level: 'warn',
      destination: { write: (l: string) => lines.push(l) },
    });
    logger.info({}, 'dropped');
    logger.warn({}, 'kept');
    expect(lines).toHaveLength(1);
  });
});

describe('maskPhoneLike', () => {
  it.each([
    ['+8613812345678', '[number]'],
    ['call +44 7911 123456 now', 'call [number] now'],
    ['415.555.0123', '[number]'],
    ['to 13812345678.', 'to [number].'],
    ['+1 415 555 0123, +33 6 12 34 56 78', '[number], [number]'],
  ])('masks %j', (input, expected) => {
    expect(maskPhoneLike(input)).toBe(expected);
  });

  it.each([
    MESSAGE_ID,
    TENANT_ID,
    CREATED_AT,
    'ff8613812345678a',
    'attempt 3 of 8',
    'took 12345 ms',
    'trace 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  ])('leaves %j alone', (input) => {
    expect(maskPhoneLike(input)).toBe(input);
  });

  it('masks every digit of a number written with brackets', () => {
    expect(maskPhoneLike('call (415) 555-0123 now')).not.toMatch(/\d/);
    expect(maskPhoneLike('call (415) 555-0123 now')).toContain('[number]');
  });

  it('leaves digit runs longer than 15 digits alone (not a phone number)', () => {
    expect(maskPhoneLike('1234567890123456789')).toBe('1234567890123456789');
  });
});

describe('scrubValue', () => {
  it('masks strings at any level and keeps the rest', () => {
    expect(
      scrubValue({
        a: SECRETS.to,
        b: [SECRETS.from, 3],
        c: { d: { e: SECRETS.deep } },
        n: 7,
        id: MESSAGE_ID,
      }),
    ).toEqual({ a: '[number]', b: ['[number]', 3], c: { d: { e: '[number]' } }, n: 7, id: MESSAGE_ID });
  });

  it('does not modify its input', () => {
    const input = { to: SECRETS.to };
    scrubValue(input);
    expect(input.to).toBe(SECRETS.to);
  });
});
