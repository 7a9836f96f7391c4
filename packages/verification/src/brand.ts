/**
 * The sender's brand: a bracketed tag at the start or end of the message (`【京东】`,
 * `[Alipay]`), or an English phrasing that names it ("is your Google verification code",
 * "Uber: your code is", "Your Uber code"). Runs on normalised text.
 */

import { containsAnchorWord } from './keywords.js';

export interface BrandMatch {
  readonly brand: string;
  /** Offsets of the bracketed tag, blanked before code extraction; absent for phrasings. */
  readonly start: number;
  readonly end: number;
}

const LEADING_TAG = /^\s*(?:<#>\s*)?[【[〖]\s*([^【】[\]〖〗]{1,32}?)\s*[】\]〗]/u;
const TRAILING_TAG = /[【[〖]\s*([^【】[\]〖〗]{1,32}?)\s*[】\]〗]\s*[.。!]?\s*$/u;
/** How much of the tail the trailing pattern looks at (a tag is at most ~36 characters). */
const TAIL_WINDOW = 48;

/** Words that sit in a tag or before "code" without naming a sender. */
const NOT_A_BRAND =
  /^(?:web ?发信|web ?發信|web ?발신|国际|國際|otp|sms|code|codes|pin|your|the|a|an|this|my|new|verification|security|login|sign-?in|one-?time|confirmation|access|authentication|secret|temporary|验证码|驗證碼|通知|提醒|广告|廣告|ad|tu|su|votre|ihr|ваш|seu|sua|el|le|la|das|der|die|use|enter|reply|stop)$/iu;

/** One capitalised word of a name ("Uber", "iFood", "PayPal", "ID"). */
const NAME_WORD = "(?:[A-Z]|[a-z][A-Z])[\\w&'.-]{0,24}";
/** Up to four words of a name, lowercase connectors allowed inside ("Bank of Example"). */
const NAME = `${NAME_WORD}(?: (?:${NAME_WORD}|of|de|do|da|du|and|&)){0,3}`;
const QUALIFIERS =
  '(?:(?:account|verification|security|login|log-?in|sign-?in|confirmation|authentication|one-?time|access) )*';

const IS_YOUR_X_CODE = new RegExp(
  `\\bis (?:your|the) (${NAME}) ${QUALIFIERS}(?:code|pin|passcode|otp)\\b`,
  'u',
);
const PREFIX_COLON = new RegExp(`^\\s*(?:<#>\\s*)?(${NAME})\\s?:\\s`, 'u');
const X_CODE = new RegExp(`(?:^|[\\s(>])(${NAME}) ${QUALIFIERS}(?:code|pin|passcode|otp)\\b`, 'u');
const CODE_FROM_X = new RegExp(
  `\\b(?:code|Code|código|codigo|код)(?: de (?:verificación|verificação|confirmación|confirmação|seguridad|segurança|acceso|acesso|vérification|confirmation))? (?:de|da|do|a|à|von|für|bei|for|from|от) (${NAME_WORD})`,
  'u',
);
/** The brand right after the keyword: "Seu código Uber é", "code de sécurité Leboncoin :". */
const CODE_X_IS = new RegExp(
  `\\b(?:code|Code|código|codigo)(?: de [a-zéíçã]+)? (${NAME_WORD}) ?(?:é|es|est|is|ist|lautet|:)(?!\\p{L})`,
  'u',
);

function cleanBrand(raw: string | undefined, allowDigits = false): string | null {
  if (!raw) return null;
  const words = raw
    .trim()
    .replace(/[.:,]+$/u, '')
    .split(/\s+/u);
  // "Your Steam Guard" -> "Steam Guard": leading words that name nobody are dropped.
  while (words.length > 0 && NOT_A_BRAND.test(words[0]!)) words.shift();
  const brand = words.join(' ');
  if (brand.length === 0 || brand.length > 32) return null;
  if (!allowDigits && /^[\d\s-]+$/u.test(brand)) return null;
  // "Ihr Sicherheitscode:", "Código:" name the code, not the sender.
  if (containsAnchorWord(brand)) return null;
  return brand;
}

/** The bracketed tag at the start or the end, with its offsets. */
export function findBrandTag(text: string): BrandMatch | null {
  const lead = LEADING_TAG.exec(text);
  // A number in 【】 is a sender ("【12306】"); in [] it is more often the code itself.
  const leadBrand = cleanBrand(lead?.[1], lead?.[0].includes('【'));
  if (lead && leadBrand) return { brand: leadBrand, start: lead.index, end: lead.index + lead[0].length };
  const tailStart = Math.max(0, text.length - TAIL_WINDOW);
  const trail = TRAILING_TAG.exec(text.slice(tailStart));
  const trailBrand = cleanBrand(trail?.[1], trail?.[0].includes('【'));
  if (trail && trailBrand) {
    const start = tailStart + trail.index;
    return { brand: trailBrand, start, end: start + trail[0].length };
  }
  return null;
}

/** A brand named by the wording of the message ("is your Google verification code"). */
export function findBrandInWording(text: string): string | null {
  for (const pattern of [IS_YOUR_X_CODE, PREFIX_COLON, CODE_FROM_X, X_CODE, CODE_X_IS]) {
    const brand = cleanBrand(pattern.exec(text)?.[1]);
    // A name with a digit in the wording is more likely the code itself ("code A7K9 is").
    if (brand && !/\d/u.test(brand)) return brand;
  }
  return null;
}
