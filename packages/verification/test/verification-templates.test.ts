import { segmentInfo } from '@maskline/core';
import { describe, expect, it } from 'vitest';
import {
  BUILT_IN_TEMPLATES,
  extractVerificationCode,
  renderVerificationMessage,
  VERIFICATION_LOCALES,
  VerificationTemplateError,
} from '../src/index.js';

const base = { brand: 'Acme', code: '482913', ttlSeconds: 300, maxSegments: 1 };

function problemOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof VerificationTemplateError) return error.problem;
    throw error;
  }
  return undefined;
}

describe('renderVerificationMessage', () => {
  it('renders the zh-CN message with the brand as a 【signature】 and the validity in minutes', () => {
    expect(renderVerificationMessage({ ...base, locale: 'zh-CN', brand: '京东' })).toBe(
      '【京东】您的验证码是482913，5分钟内有效，请勿泄露给他人。',
    );
  });

  it('every built-in template carries the code and the brand and fits one segment with a 10-digit code', () => {
    for (const locale of VERIFICATION_LOCALES) {
      const text = renderVerificationMessage({
        ...base,
        locale,
        brand: 'Brand Name Example',
        code: '0123456789',
        ttlSeconds: 3600,
      });
      expect(text).toContain('0123456789');
      expect(text).toContain('Brand Name Example');
      expect(text).toContain('60');
    }
  });

  it('the built-in texts outside zh-CN stay in GSM-7 (160 characters per segment)', () => {
    for (const locale of VERIFICATION_LOCALES.filter((l) => l !== 'zh-CN')) {
      expect(segmentInfo(renderVerificationMessage({ ...base, locale })).encoding, locale).toBe('gsm7');
    }
  });

  it('rounds the validity up to whole minutes', () => {
    expect(renderVerificationMessage({ ...base, locale: 'en', ttlSeconds: 61 })).toContain('2 minutes');
  });

  it('renders a custom template', () => {
    expect(
      renderVerificationMessage({
        ...base,
        locale: 'en',
        template: '{code} is your {brand} code ({minutes} min)',
      }),
    ).toBe('482913 is your Acme code (5 min)');
  });

  it('refuses a custom template without {code}', () => {
    expect(
      problemOf(() => renderVerificationMessage({ ...base, locale: 'en', template: 'Hi from {brand}' })),
    ).toBe('missing_code');
  });

  it('refuses a zh-CN template without {brand}, accepts an en one without it', () => {
    expect(
      problemOf(() => renderVerificationMessage({ ...base, locale: 'zh-CN', template: '验证码{code}' })),
    ).toBe('missing_brand');
    expect(renderVerificationMessage({ ...base, locale: 'en', template: 'Code: {code}' })).toBe(
      'Code: 482913',
    );
  });

  it('refuses unknown placeholders', () => {
    expect(
      problemOf(() => renderVerificationMessage({ ...base, locale: 'en', template: '{code} for {user}' })),
    ).toBe('unknown_placeholder');
  });

  it('refuses a rendering longer than the allowed segments (UCS-2 counts 70 per segment)', () => {
    const longBrand = '很长的品牌名称'.repeat(6);
    expect(problemOf(() => renderVerificationMessage({ ...base, locale: 'zh-CN', brand: longBrand }))).toBe(
      'too_long',
    );
    expect(
      renderVerificationMessage({ ...base, locale: 'zh-CN', brand: longBrand, maxSegments: 2 }),
    ).toContain(longBrand);
    expect(
      problemOf(() =>
        renderVerificationMessage({ ...base, locale: 'en', template: `{code}${'x'.repeat(160)}` }),
      ),
    ).toBe('too_long');
  });

  it('the inbound extractor reads the code and brand back out of each built-in message', () => {
    for (const locale of VERIFICATION_LOCALES) {
      const text = renderVerificationMessage({ ...base, locale });
      expect(extractVerificationCode(text)?.code, `${locale}: ${BUILT_IN_TEMPLATES[locale]}`).toBe('482913');
    }
  });
});
