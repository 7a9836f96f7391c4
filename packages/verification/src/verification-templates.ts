import { segmentInfo } from '@maskline/core';

/** Locales with a built-in message. */
export const VERIFICATION_LOCALES = ['en', 'zh-CN', 'es', 'de', 'fr'] as const;
export type VerificationLocale = (typeof VERIFICATION_LOCALES)[number];

/**
 * The built-in messages. Chinese carriers require the brand as a 【signature】 at the start;
 * the others name the brand in the sentence, in GSM-7 characters only (a single accent outside it,
 * such as the Spanish ó, would make the whole message UCS-2 and halve what fits in a segment). `{minutes}` is the validity, rounded up.
 */
export const BUILT_IN_TEMPLATES: Readonly<Record<VerificationLocale, string>> = {
  'zh-CN': '【{brand}】您的验证码是{code}，{minutes}分钟内有效，请勿泄露给他人。',
  en: 'Your {brand} verification code is {code}. It expires in {minutes} minutes. Do not share it.',
  es: 'Tu clave de {brand} es {code}. Vence en {minutes} minutos. No la compartas con nadie.',
  de: 'Dein {brand} Bestätigungscode lautet {code}. Er ist {minutes} Minuten gültig. Nicht weitergeben.',
  fr: 'Votre code de vérification {brand} est {code}. Il expire dans {minutes} minutes. Ne le partagez pas.',
};

const PLACEHOLDER = /\{([^{}]*)\}/g;
const KNOWN_PLACEHOLDERS = new Set(['code', 'brand', 'minutes']);

export function isVerificationLocale(value: unknown): value is VerificationLocale {
  return typeof value === 'string' && (VERIFICATION_LOCALES as readonly string[]).includes(value);
}

export type TemplateProblem = 'missing_code' | 'missing_brand' | 'unknown_placeholder' | 'too_long';

/** Why a template or its rendering is refused; the message names no value. */
export class VerificationTemplateError extends Error {
  constructor(
    readonly problem: TemplateProblem,
    message: string,
  ) {
    super(message);
    this.name = 'VerificationTemplateError';
  }
}

export interface VerificationMessageInput {
  locale: VerificationLocale;
  brand: string;
  code: string;
  ttlSeconds: number;
  /** The tenant's own wording; else the locale's built-in one. */
  template?: string | null;
  /** Most segments the rendered message may take (1 by default). */
  maxSegments: number;
}

/**
 * Checks a custom template: `{code}` present (the message is useless without it),
 * `{brand}` present for zh-CN (carriers there refuse unsigned messages), and no placeholder
 * other than {code}, {brand}, {minutes}.
 */
export function validateTemplate(template: string, locale: VerificationLocale): void {
  const names = [...template.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
  const unknown = names.find((n) => !KNOWN_PLACEHOLDERS.has(n));
  if (unknown !== undefined) {
    throw new VerificationTemplateError(
      'unknown_placeholder',
      'template may use only the placeholders {code}, {brand} and {minutes}.',
    );
  }
  if (!names.includes('code')) {
    throw new VerificationTemplateError('missing_code', 'template must contain {code}.');
  }
  if (locale === 'zh-CN' && !names.includes('brand')) {
    throw new VerificationTemplateError('missing_brand', 'A zh-CN template must contain {brand}.');
  }
}

/**
 * The message text for a code. Throws VerificationTemplateError when the template is
 * invalid or the rendered text takes more than `maxSegments` segments (counted as the
 * carriers count them: GSM-7 or UCS-2).
 */
export function renderVerificationMessage(input: VerificationMessageInput): string {
  const template = input.template ?? BUILT_IN_TEMPLATES[input.locale];
  if (input.template != null) validateTemplate(input.template, input.locale);
  const minutes = String(Math.ceil(input.ttlSeconds / 60));
  const text = template.replace(PLACEHOLDER, (_m, name: string) =>
    name === 'code' ? input.code : name === 'brand' ? input.brand : minutes,
  );
  const { segments } = segmentInfo(text);
  if (segments > input.maxSegments) {
    throw new VerificationTemplateError(
      'too_long',
      `The message would take ${segments} segments; at most ${input.maxSegments} allowed.`,
    );
  }
  return text;
}
