import { afterEach, describe, expect, it, vi } from 'vitest';
import { extractVerificationCode, extractVerificationCodeDetailed } from '../src/index.js';

const code = (text: string) => extractVerificationCode(text)?.code ?? null;
const brand = (text: string) => extractVerificationCode(text)?.brand ?? null;

describe('extractVerificationCode: Chinese phrasings', () => {
  it.each([
    ['【京东】您的验证码5026,该验证码5分钟内有效,请勿泄漏于他人!', '5026'],
    ['【淘宝】378211是你的验证码...', '378211'],
    ['验证码：604128', '604128'],
    ['验证码:604128', '604128'],
    ['验证码604128', '604128'],
    ['验证码 604128', '604128'],
    ['您的动态码为６０４１２８。', '604128'],
    ['校验码是604128，', '604128'],
    ['短信验证码：604128', '604128'],
    ['确认码604128', '604128'],
    ['激活码：604128', '604128'],
    ['登录码 604128', '604128'],
    ['604128（验证码）', '604128'],
    ['604128为您的登录验证码', '604128'],
  ])('%s -> %s', (text, expected) => {
    expect(code(text)).toBe(expected);
  });
});

describe('extractVerificationCode: English and other common forms', () => {
  it.each([
    ['Your code is 123456', '123456'],
    ['G-123456 is your Google verification code', '123456'],
    ['Your code is 123-456', '123456'],
    ['Your code is 123 456', '123456'],
    ['use 4821 to sign in', '4821'],
    ['Your Uber code: 4821', '4821'],
    ['WhatsApp code 123-456', '123456'],
    ['code: A7K9Q2', 'A7K9Q2'],
    ['Your OTP is 88213', '88213'],
    ['Tu código es 482913', '482913'],
    ['Ihr Bestätigungscode lautet 482913', '482913'],
    ['Votre code : 482913', '482913'],
    ['Код подтверждения: 482913', '482913'],
    ['Seu código de verificação é 482913', '482913'],
    ['認証コード：482913', '482913'],
  ])('%s -> %s', (text, expected) => {
    expect(code(text)).toBe(expected);
  });

  it('takes a letter-and-digit code only right after its keyword', () => {
    expect(code('Your code is XK29PQ')).toBe('XK29PQ');
    expect(code('Your code was sent. Reference AB12CD.')).toBeNull();
    expect(code('Flight CA1234 boards at gate 12. Your code is 5521.')).toBe('5521');
    expect(code('Use promo code SAVE20 today')).toBeNull();
  });
});

describe('extractVerificationCode: traps', () => {
  it('never takes a validity period', () => {
    expect(code('验证码有效期1440分钟')).toBeNull();
    expect(code('【京东】验证码30分钟有效，请勿泄漏')).toBeNull();
    expect(code('Your code expires in 1440 minutes')).toBeNull();
    expect(code('Your code is valid for 1440 min')).toBeNull();
    expect(code('验证码5分钟内有效：348291')).toBe('348291');
    expect(code('Your code 7712 expires in 10 minutes')).toBe('7712');
  });

  it('never takes an amount', () => {
    expect(code('您的验证码用于支付¥1280')).toBeNull();
    expect(code('Your verification code for the $2000 transfer was sent')).toBeNull();
    expect(code('验证码已发送，本次消费5000元')).toBeNull();
    expect(code('Code for the payment of 1299 USD')).toBeNull();
    expect(code('Ihr Code für 1234,56 € wurde gesendet')).toBeNull();
    expect(code('支付¥128.00，验证码604128')).toBe('604128');
    expect(code('Your code for the $2000 transfer is 883012')).toBe('883012');
  });

  it('never takes a date, a time or a year', () => {
    expect(code('Verification code sent on 2026-12-03')).toBeNull();
    expect(code('Your code was sent on 12/03/2026 at 14:30')).toBeNull();
    expect(code('验证码已于2026年12月3日发送')).toBeNull();
    expect(code('Your code: 2026-12-03 14:30')).toBeNull();
    expect(code('© 2026 Example. Your code is 5521')).toBe('5521');
    expect(code('验证码 4829，有效期至2026-12-03 14:30')).toBe('4829');
  });

  it('never takes a phone number', () => {
    expect(code('验证码问题请致电95588')).toBeNull();
    expect(code('Code questions? Call +8613800138000')).toBeNull();
    expect(code('Code questions? Call 400-800-1234')).toBeNull();
    expect(code('您的手机号138****1234的验证码已发送')).toBeNull();
    expect(code('验证码604128，如有疑问请致电95588')).toBe('604128');
    expect(code('Your code is 5521. Call 400-800-1234 if not you.')).toBe('5521');
  });

  it('never takes an order or tracking number', () => {
    expect(code('订单号 20261203 的验证码已发送')).toBeNull();
    expect(code('Verification code for order #5678 was sent')).toBeNull();
    expect(code('Your code for tracking number 99887766 was sent')).toBeNull();
    expect(code('订单号 202612031234 的验证码为 305591')).toBe('305591');
    expect(code('Order 5678: your code is 1937')).toBe('1937');
  });

  it('never takes a number out of a link', () => {
    expect(code('Confirm your code at https://example.com/verify/482913')).toBeNull();
    expect(code('Your code: https://example.com/c?id=482913&x=1')).toBeNull();
    expect(code('WhatsApp code 123-456. Or tap v.whatsapp.com/739104')).toBe('123456');
  });

  it('picks the code over a card tail, an amount and a date in one message', () => {
    expect(code('【招商银行】您尾号1234的信用卡于12月03日消费人民币5000.00元，验证码：889021')).toBe(
      '889021',
    );
    expect(code('Your card ending 4421 was charged $20.00. Your security code is 583920.')).toBe('583920');
  });

  it('returns null for messages without a code', () => {
    expect(extractVerificationCode('')).toBeNull();
    expect(extractVerificationCode('Hello, see you at 14:30!')).toBeNull();
    expect(extractVerificationCode('Your order 20261203 has shipped.')).toBeNull();
    expect(extractVerificationCode('Never share your verification code with anyone.')).toBeNull();
    expect(extractVerificationCode('【顺丰速运】请凭取件码 5321 到驿站领取。')).toBeNull();
    expect(extractVerificationCode(undefined as unknown as string)).toBeNull();
  });
});

describe('extractVerificationCode: brand', () => {
  it.each([
    ['【京东】您的验证码5026', '京东'],
    ['您的验证码5026。【京东】', '京东'],
    ['[Alipay] 593027 is your verification code', 'Alipay'],
    ['您的验证码5026 [唯品会]', '唯品会'],
    ['G-123456 is your Google verification code', 'Google'],
    ['Uber: your code is 4821', 'Uber'],
    ['Your Uber code: 4821', 'Uber'],
    ['Tu código de Uber es 4821', 'Uber'],
    ['【12306】您的验证码为381920', '12306'],
    ['Seu código Uber é 2281', 'Uber'],
    ['Votre code de sécurité Leboncoin : 771902', 'Leboncoin'],
    ['Tu código de acceso a Glovo es 9921', 'Glovo'],
  ])('%s -> %s', (text, expected) => {
    expect(brand(text)).toBe(expected);
  });

  it('is null when the message does not name its sender', () => {
    expect(extractVerificationCode('Your code is 123456')).toEqual({ code: '123456', brand: null });
    expect(extractVerificationCode('验证码：604128')).toEqual({ code: '604128', brand: null });
    expect(extractVerificationCode('Code: 604128')).toEqual({ code: '604128', brand: null });
    expect(extractVerificationCode('[123456] is your code')?.brand).toBeNull();
    expect(extractVerificationCode('Your code A7K9 is valid once')).toEqual({ code: 'A7K9', brand: null });
  });

  it('does not read a brand tag as a blocker word ("【支付宝】" holds 支付)', () => {
    expect(extractVerificationCode('【支付宝】604128是你的验证码')).toEqual({
      code: '604128',
      brand: '支付宝',
    });
  });
});

describe('extractVerificationCodeDetailed', () => {
  it('says why the code was chosen, never quoting the text', () => {
    expect(extractVerificationCodeDetailed('验证码：604128')).toEqual({
      code: '604128',
      brand: null,
      reason: 'keyword-adjacent',
      shape: 'digits',
    });
    expect(extractVerificationCodeDetailed('use 4821 to sign in')?.reason).toBe('verb');
    expect(extractVerificationCodeDetailed('378211是你的验证码')?.reason).toBe('keyword-adjacent');
    expect(extractVerificationCodeDetailed('123456 is your code')?.reason).toBe('keyword-adjacent');
    expect(extractVerificationCodeDetailed('Your code has been sent, it is 123-456')?.reason).toBe(
      'keyword-near',
    );
    expect(extractVerificationCodeDetailed('Your code is 123-456')?.shape).toBe('split-digits');
  });
});

describe('extractVerificationCode: adversarial input (10 KB)', () => {
  const tenKb = (unit: string) => unit.repeat(Math.ceil(10_240 / unit.length)).slice(0, 10_240);

  it('handles long runs without backtracking blow-ups', () => {
    expect(extractVerificationCode(tenKb('1-'))).toBeNull();
    expect(extractVerificationCode(tenKb('0'))).toBeNull();
    expect(extractVerificationCode(tenKb('a'))).toBeNull();
    expect(extractVerificationCode(tenKb('【'))).toBeNull();
    expect(extractVerificationCode(`[${tenKb('x ')}`)).toBeNull();
    expect(extractVerificationCode(tenKb('code '))).toBeNull();
    expect(extractVerificationCode(tenKb('Is Your A B C D '))).toBeNull();
    expect(extractVerificationCode(tenKb('验证码'))).toBeNull();
    expect(extractVerificationCode(`${tenKb('code ')} 123456`)?.code).toBe('123456');
    expect(extractVerificationCode(`${tenKb('12 ')}验证码604128`)?.code).toBe('604128');
    expect(extractVerificationCode(tenKb('验证码1234 5分钟 '))?.code).toBe('1234');
  });

  it('scores a long run of keywords and numbers in one pass (200 KB)', () => {
    const long = '验证码1234 5分钟 code 5678 '.repeat(8_000);
    expect(extractVerificationCode(long)?.code).toBe('1234');
  });
});

describe('extractVerificationCode: privacy', () => {
  afterEach(() => vi.restoreAllMocks());

  it('writes nothing to the console or the standard streams', () => {
    const spies = [
      vi.spyOn(console, 'log'),
      vi.spyOn(console, 'info'),
      vi.spyOn(console, 'warn'),
      vi.spyOn(console, 'error'),
      vi.spyOn(console, 'debug'),
      vi.spyOn(process.stdout, 'write'),
      vi.spyOn(process.stderr, 'write'),
    ];
    extractVerificationCode('【京东】您的验证码5026,该验证码5分钟内有效');
    extractVerificationCode('no code here');
    extractVerificationCodeDetailed('Your code is 123456');
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });
});
