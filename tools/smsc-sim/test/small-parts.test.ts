import { describe, expect, it } from 'vitest';
import { addressOf, moFields, receiptDate, receiptFields, receiptText } from '../src/deliver-pdus.js';
import { optionsFromEnv } from '../src/env.js';
import { messageIdGenerator } from '../src/message-ids.js';
import { type RecordedMessage, RecordedMessages } from '../src/recorded-messages.js';

const delivered = { stat: 'DELIVRD', err: '000', messageState: 2 } as const;

describe('recorded messages ring', () => {
  const message = (n: number) => ({ messageId: String(n) }) as RecordedMessage;

  it('keeps the newest messages, oldest first, within its capacity', () => {
    const ring = new RecordedMessages(3);
    for (let n = 1; n <= 5; n++) ring.add(message(n));
    expect(ring.count).toBe(3);
    expect(ring.list().map((m) => m.messageId)).toEqual(['3', '4', '5']);
    expect(ring.list(2).map((m) => m.messageId)).toEqual(['4', '5']);
    expect(ring.list(0)).toEqual([]);
    ring.clear();
    expect(ring.list()).toEqual([]);
    ring.add(message(6));
    expect(ring.list().map((m) => m.messageId)).toEqual(['6']);
  });
});

describe('message ids', () => {
  it('are 16 hex or 16 decimal digits, distinct, and differ between simulators', () => {
    const hex = messageIdGenerator('hex');
    const ids = [hex(), hex(), hex()];
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(new Set(ids).size).toBe(3);
    const decimal = messageIdGenerator('decimal');
    expect(decimal()).toMatch(/^[1-9]\d{15}$/);
    expect(messageIdGenerator('hex')()).not.toBe(messageIdGenerator('hex')());
  });
});

describe('deliver_sm fields', () => {
  it('formats the standard receipt text in UTC without the body', () => {
    const at = new Date(Date.UTC(2025, 0, 2, 3, 4, 59));
    expect(receiptDate(at)).toBe('2501020304');
    expect(receiptText('abc', delivered, at, at)).toBe(
      'id:abc sub:001 dlvrd:001 submit date:2501020304 done date:2501020304 stat:DELIVRD err:000 text:',
    );
    const undeliv = { stat: 'UNDELIV', err: '012', messageState: 5 } as const;
    expect(receiptText('x', undeliv, at, at)).toContain('dlvrd:000');
  });

  it('swaps the submit addresses in a receipt and sets the TLVs', () => {
    const fields = receiptFields({
      messageId: 'abc',
      submitSource: { addr: 'Maskline', ton: 5, npi: 0 },
      submitDestination: { addr: '447700900123', ton: 1, npi: 1 },
      outcome: delivered,
      submittedAt: new Date(),
      doneAt: new Date(),
    });
    expect(fields).toMatchObject({
      source_addr: '447700900123',
      source_addr_ton: 1,
      destination_addr: 'Maskline',
      dest_addr_ton: 5,
      esm_class: 4,
      receipted_message_id: 'abc',
      message_state: 2,
    });
  });

  it('maps MO addresses to TON/NPI', () => {
    expect(addressOf('+447700900123')).toEqual({ addr: '447700900123', ton: 1, npi: 1 });
    expect(addressOf('12345')).toEqual({ addr: '12345', ton: 0, npi: 1 });
    expect(addressOf('Bank')).toEqual({ addr: 'Bank', ton: 5, npi: 0 });
    expect(moFields({ from: '+1', to: '+2', text: 'é' })).toMatchObject({ data_coding: 0, esm_class: 0 });
  });
});

describe('options from the environment', () => {
  it('uses the CLI defaults', () => {
    expect(optionsFromEnv({})).toEqual({
      host: '127.0.0.1',
      smppPort: 2775,
      controlPort: 2776,
      submitRespDelayMs: 0,
      receiptDelayMs: 0,
      messageIdFormat: 'hex',
    });
  });

  it('reads every variable and rejects bad values', () => {
    expect(
      optionsFromEnv({
        SMSC_SIM_HOST: '0.0.0.0',
        SMSC_SIM_PORT: '0',
        SMSC_SIM_CONTROL_PORT: 'off',
        SMSC_SIM_SYSTEM_ID: 'maskline',
        SMSC_SIM_PASSWORD: 'secret',
        SMSC_SIM_SUBMIT_DELAY_MS: '5',
        SMSC_SIM_RECEIPT_DELAY_MS: '50',
        SMSC_SIM_ID_FORMAT: 'decimal',
      }),
    ).toEqual({
      host: '0.0.0.0',
      smppPort: 0,
      controlPort: null,
      systemId: 'maskline',
      password: 'secret',
      submitRespDelayMs: 5,
      receiptDelayMs: 50,
      messageIdFormat: 'decimal',
    });
    expect(() => optionsFromEnv({ SMSC_SIM_PORT: '27x' })).toThrow(/SMSC_SIM_PORT/);
    expect(() => optionsFromEnv({ SMSC_SIM_ID_FORMAT: 'uuid' })).toThrow(/SMSC_SIM_ID_FORMAT/);
  });
});
