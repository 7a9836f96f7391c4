import { describe, expect, it } from 'vitest';
import { carrierAnswerDetails, carrierAnswerOf, MasklineError } from '../src/index.js';

describe('carrier answer on errors', () => {
  it('round-trips through MasklineError details', () => {
    const error = new MasklineError('carrier_error', {
      details: carrierAnswerDetails({ code: '0x00000045', name: 'ESME_RSUBMITFAIL' }),
    });
    expect(carrierAnswerOf(error)).toEqual({ code: '0x00000045', name: 'ESME_RSUBMITFAIL' });
  });

  it('keeps a code without a name, and finds nothing on errors without one', () => {
    const coded = new MasklineError('carrier_error', { details: carrierAnswerDetails({ code: '30007' }) });
    expect(carrierAnswerOf(coded)).toEqual({ code: '30007' });
    expect(carrierAnswerOf(new MasklineError('carrier_timeout'))).toBeUndefined();
    expect(
      carrierAnswerOf(new MasklineError('carrier_error', { details: { carrierStatusCode: 7 } })),
    ).toBeUndefined();
  });
});
