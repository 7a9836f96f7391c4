import { describe, expect, it } from 'vitest';
import { decideReceipt, receiptPolicy } from '../src/receipt-rules.js';

const msg = (destination: string, text = 'hello') => ({ destination, text });

describe('receipt rules', () => {
  it('delivers by default', () => {
    expect(decideReceipt([], msg('447700900123'))).toEqual({ stat: 'DELIVRD', err: '000', messageState: 2 });
  });

  it('matches by destination suffix or body pattern; the first matching rule wins', () => {
    const policy = receiptPolicy([
      { destinationSuffix: '0000', stat: 'UNDELIV', err: '012' },
      { bodyPattern: 'expire', stat: 'EXPIRED' },
      { destinationSuffix: '0', stat: 'REJECTD' },
    ]);
    expect(policy(msg('447700900000', 'expire me'))).toEqual({
      stat: 'UNDELIV',
      err: '012',
      messageState: 5,
    });
    expect(policy(msg('447700900123', 'please expire'))).toEqual({
      stat: 'EXPIRED',
      err: '001',
      messageState: 3,
    });
    expect(policy(msg('447700900010'))).toEqual({ stat: 'REJECTD', err: '001', messageState: 8 });
    expect(policy(msg('447700900123'))).toMatchObject({ stat: 'DELIVRD' });
  });

  it('requires every condition of a rule; a rule without conditions matches everything', () => {
    const both = receiptPolicy([{ destinationSuffix: '99', bodyPattern: '^OTP', stat: 'UNDELIV' }]);
    expect(both(msg('4477009099', 'OTP 1234')).stat).toBe('UNDELIV');
    expect(both(msg('4477009099', 'hello')).stat).toBe('DELIVRD');
    expect(both(msg('4477009098', 'OTP 1234')).stat).toBe('DELIVRD');
    expect(receiptPolicy([{ stat: 'EXPIRED' }])(msg('1')).stat).toBe('EXPIRED');
  });

  it('lets a DELIVRD rule shadow later failures and gives it err 000', () => {
    const policy = receiptPolicy([{ destinationSuffix: '1', stat: 'DELIVRD' }, { stat: 'UNDELIV' }]);
    expect(policy(msg('441'))).toEqual({ stat: 'DELIVRD', err: '000', messageState: 2 });
    expect(policy(msg('442')).stat).toBe('UNDELIV');
  });

  it('rejects invalid rules up front', () => {
    expect(() => receiptPolicy([{ bodyPattern: '[', stat: 'UNDELIV' }])).toThrow(/regular expression/);
    expect(() => receiptPolicy([{ stat: 'UNDELIV', err: '12' }])).toThrow(/three digits/);
    expect(() => receiptPolicy([{ stat: 'LOST' as 'UNDELIV' }])).toThrow();
  });
});
