/**
 * The words that anchor a verification code, and the words that mark a number as
 * something else. All patterns run on NFKC-normalised text (see normalize.ts) and are
 * plain alternations without nested quantifiers, so matching stays linear.
 */

/** Latin and Cyrillic words need letter boundaries; CJK words do not (no spaces). */
function words(list: readonly string[]): string {
  return `(?<!\\p{L})(?:${list.join('|')})(?!\\p{L})`;
}

/**
 * Phrases that contain a code keyword but do not mean a one-time code. Listed in the
 * keyword scanner ahead of the keywords, so "promo code" is consumed whole and its
 * "code" never anchors a candidate.
 */
const NOT_CODE_PHRASES = [
  'promo ?code',
  'promotional code',
  'coupon code',
  'discount code',
  'voucher code',
  'gift code',
  'referral code',
  'post ?code',
  'zip ?code',
  'postal code',
  'area code',
  'country code',
  'swift code',
  'código postal',
  'code postal',
  'código promocional',
  'code promo',
  'gutscheincode',
  'rabattcode',
  'postleitzahl',
  'промокод',
  'почтовый индекс',
];

const CJK_NOT_CODE = [
  '优惠码',
  '优惠券码',
  '邀请码',
  '取件码',
  '提货码',
  '兑换码',
  '券码',
  '邮编',
  '区号',
  'クーポンコード',
];

/** Keywords naming the code itself, strongest anchor. Longest first within a script. */
const CJK_CODE_KEYWORDS = [
  '短信验证码',
  '短信校验码',
  '一次性密码',
  '动态验证码',
  '动态密码',
  '動態密碼',
  '验证码',
  '驗證碼',
  '认证码',
  '認證碼',
  '动态码',
  '動態碼',
  '校验码',
  '校驗碼',
  '确认码',
  '確認碼',
  '激活码',
  '激活碼',
  '登录码',
  '登錄碼',
  '安全码',
  '安全碼',
  '授权码',
  '授權碼',
  '识别码',
  '識別碼',
  '交易码',
  '随机码',
  'ワンタイムパスワード',
  'セキュリティコード',
  'ログインコード',
  '認証コード',
  '確認コード',
  '認証番号',
  '確認番号',
  'パスコード',
  'コード',
];

const LATIN_CODE_KEYWORDS = [
  // en
  'verification code',
  'security code',
  'login code',
  'log-?in code',
  'sign-?in code',
  'confirmation code',
  'authentication code',
  'access code',
  'one-?time pass(?:word|code)',
  'one-?time code',
  'one-?time pin',
  'passcode',
  'otp',
  'pin',
  'codes?',
  // es / pt
  'código de verificación',
  'código de verificação',
  'código de confirmación',
  'código de confirmação',
  'código de acceso',
  'código de acesso',
  'código de seguridad',
  'código de segurança',
  'códigos?',
  'codigo',
  'clave',
  'senha',
  // de
  'bestätigungscode',
  'sicherheitscode',
  'verifizierungscode',
  'anmeldecode',
  'einmalpasswort',
  'einmalcode',
  'tan',
  // fr
  'code de vérification',
  'code de confirmation',
  'code de sécurité',
  'mot de passe',
  // ru
  'код подтверждения',
  'код для входа',
  'код(?:а|ом)?',
  'пароль',
];

/** Verbs that put a code in front of the reader ("use 4821 to sign in"): weaker anchors. */
const CJK_VERBS = ['请输入', '输入', '輸入', '入力'];
const LATIN_VERBS = [
  'use',
  'enter',
  'type',
  'usa',
  'utiliza',
  'introduce',
  'introduzca',
  'ingresa',
  'ingrese',
  'digite',
  'insira',
  'utilisez',
  'saisissez',
  'entrez',
  'eingeben',
  'verwenden sie',
  'введите',
  'используйте',
];

/**
 * One scanner for all anchors. Group `not` = a phrase that is not a code, `kw` = a code
 * keyword, `verb` = a verb anchor. The `i` flag folds ASCII and Cyrillic case.
 */
export const ANCHOR_PATTERN = new RegExp(
  `(?<not>${words(NOT_CODE_PHRASES)}|${CJK_NOT_CODE.join('|')})` +
    `|(?<kw>${words(LATIN_CODE_KEYWORDS)}|${CJK_CODE_KEYWORDS.join('|')})` +
    `|(?<verb>${words(LATIN_VERBS)}|${CJK_VERBS.join('|')})`,
  'giu',
);

const CODE_WORD = new RegExp(ANCHOR_PATTERN.source, 'iu');

/** True when the text holds a code keyword, a verb anchor or a not-a-code phrase. */
export function containsAnchorWord(text: string): boolean {
  return CODE_WORD.test(text);
}

/**
 * Words that, shortly before a number, say what the number is: an order, a parcel, a
 * card or account tail, a phone line, an amount. Matched against the few characters in
 * front of a candidate, anchored at the end.
 */
export const BLOCKER_BEFORE = new RegExp(
  `(?:${[
    '订单号?',
    '訂單號?',
    '单号',
    '運單號',
    '运单号?',
    '快递',
    '尾号',
    '尾號',
    '卡号',
    '账号',
    '帳號',
    '账户',
    '手机号',
    '电话',
    '電話',
    '致电',
    '来电',
    '客服',
    '热线',
    '拨打',
    '金额',
    '余额',
    '人民币',
    '积分',
    '注文番号',
    'お問い合わせ',
  ].join('|')}|${words([
    'order(?: number| no\\.?| id)?',
    'tracking(?: number| no\\.?)?',
    'invoice',
    'ref(?:erence)?',
    'account',
    'acct',
    'card',
    'ending(?: in)?',
    'tel',
    'phone',
    'call',
    'hotline',
    'reply(?: stop)?(?: to)?',
    'text(?: stop)?(?: to)?',
    'flight',
    'booking',
    'room',
    'pedido',
    'número de pedido',
    'bestellung',
    'bestellnummer',
    'sendungsnummer',
    'kundennummer',
    'commande',
    'заказ(?:а)?',
    'номер(?: заказа)?',
    'телефон',
  ])})[\\s:#.№-]{0,3}(?:(?:is|es|是|为|為)[\\s:]{0,2})?$`,
  'iu',
);

/** A unit right after a number: a duration, a currency, a count. The number is not a code. */
export const UNIT_AFTER = new RegExp(
  `^\\s?(?:${[
    '分钟',
    '分鐘',
    '分間',
    '分',
    '秒',
    '小时',
    '小時',
    '時間',
    '天',
    '日',
    '月',
    '年',
    '元',
    '块',
    '円',
    '号',
    '條',
    '条',
    '次',
    '人',
    '个',
    '%',
    '€',
    '\\$',
    '¥',
    '₽',
  ].join('|')}|${words([
    'min(?:ute)?s?',
    'hours?',
    'hrs?',
    'sec(?:ond)?s?',
    'days?',
    'minut(?:o|e|en)s?',
    'stunden?',
    'horas?',
    'heures?',
    'segundos?',
    'минут[аы]?',
    'мин',
    'час(?:а|ов)?',
    'секунд[аы]?',
    'usd',
    'eur(?:os?)?',
    'rmb',
    'cny',
    'yuan',
    'dollars?',
    'reais',
    'руб(?:лей|ля)?',
    'points?',
    'pts',
  ])})`,
  'iu',
);

/** A currency sign or code right before a number. */
export const CURRENCY_BEFORE = /(?:¥|\$|€|£|₽|(?<!\p{L})(?:usd|rmb|cny|eur|r\$|us\$|hk\$))\s?$/iu;

/** A separator pattern allowed between a keyword and a code right after it. */
export const TIGHT_GAP =
  /^[\s:,.\-#(（"'«「]*(?:is|es|é|est|ist|lautet|равен|是|为|為|は|:)?[\s:,.\-#"'«「]*$/iu;

/** A gap allowed between a code and a keyword right after it ("378211是你的验证码", "1234 is your code"). */
export const TIGHT_GAP_BEFORE =
  /^[\s,(（"'«「]*(?:is your|is the|is|es tu|es su|ist ihr|est votre|é o seu|é seu|是你的|是您的|为您的|为你的|为|是|\()?[\s:"'»」]*$/iu;

/** Sentence ends: a keyword on the far side of one is a weaker anchor. */
export const SENTENCE_END = /[。!?;！？；]|\.\s/u;
