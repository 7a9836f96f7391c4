import { describe, expect, it } from 'vitest';
import { signatureHeader, verifySignature } from '../src/signing.js';
import { pythonVerify } from './support/python-verify.js';

const body = '{"id":"evt_1","type":"session.rotated","data":{"note":"é ✓"}}';
const now = Math.floor(Date.now() / 1000);

describe('webhook signatures', () => {
  it('are verified by an independent Python implementation', () => {
    const header = signatureHeader(['whsec_new'], body, now);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(pythonVerify(header, body, 'whsec_new')).toBe('ok');
    expect(pythonVerify(header, `${body} `, 'whsec_new')).toBe('mismatch');
    expect(pythonVerify(header, body, 'whsec_other')).toBe('mismatch');
  });

  it('carry one signature per secret during a rotation, each verifiable on its own', () => {
    const header = signatureHeader(['whsec_new', 'whsec_old'], body, now);
    expect(header.split(',v1=')).toHaveLength(3);
    expect(pythonVerify(header, body, 'whsec_new')).toBe('ok');
    expect(pythonVerify(header, body, 'whsec_old')).toBe('ok');
    expect(verifySignature(header, body, ['whsec_old'])).toEqual({ ok: true, timestamp: now });
  });

  it('verify a signature made by hand with node:crypto only', async () => {
    const { createHmac } = await import('node:crypto');
    const mac = createHmac('sha256', Buffer.from('whsec_hand')).update(Buffer.from(`${now}.${body}`));
    const header = `t=${now},v1=${mac.digest('hex')}`;
    expect(verifySignature(header, Buffer.from(body), ['whsec_hand'])).toEqual({ ok: true, timestamp: now });
  });

  it('refuse stale or future timestamps beyond five minutes, in both implementations', () => {
    const old = signatureHeader(['s'], body, now - 301);
    expect(verifySignature(old, body, ['s'], { now })).toEqual({
      ok: false,
      reason: 'timestamp_out_of_tolerance',
    });
    expect(pythonVerify(old, body, 's', now)).toBe('stale');
    const edge = signatureHeader(['s'], body, now - 300);
    expect(verifySignature(edge, body, ['s'], { now }).ok).toBe(true);
    const future = signatureHeader(['s'], body, now + 301);
    expect(verifySignature(future, body, ['s'], { now }).ok).toBe(false);
  });

  it('refuse tampered bodies, wrong secrets and malformed headers', () => {
    const header = signatureHeader(['s'], body, now);
    expect(verifySignature(header, `${body}x`, ['s'])).toEqual({
      ok: false,
      reason: 'no_matching_signature',
    });
    expect(verifySignature(header, body, ['t'])).toEqual({ ok: false, reason: 'no_matching_signature' });
    expect(verifySignature('v1=abc', body, ['s'])).toEqual({ ok: false, reason: 'malformed_header' });
    expect(verifySignature(`t=${now}`, body, ['s'])).toEqual({ ok: false, reason: 'malformed_header' });
    expect(verifySignature(`t=${now},v1=${'0'.repeat(63)}`, body, ['s']).ok).toBe(false);
  });
});
