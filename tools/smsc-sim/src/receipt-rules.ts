import { z } from 'zod';

/**
 * Which final state the simulated network reports for a message. Rules are checked in
 * order; the first whose conditions all hold decides (a rule with no condition matches
 * every message). No rule matches: DELIVRD with err 000.
 */
export const RECEIPT_STATS = ['DELIVRD', 'UNDELIV', 'EXPIRED', 'REJECTD'] as const;
export type ReceiptStat = (typeof RECEIPT_STATS)[number];

/** SMPP 3.4 message_state (§5.2.28) for each stat word. */
export const MESSAGE_STATE: Readonly<Record<ReceiptStat, number>> = {
  DELIVRD: 2,
  EXPIRED: 3,
  UNDELIV: 5,
  REJECTD: 8,
};

export const receiptRuleSchema = z.strictObject({
  /** Matches when the destination address ends with this (compare without a leading '+'). */
  destinationSuffix: z.string().max(21).optional(),
  /** Matches when the decoded text matches this regular expression (JavaScript syntax). */
  bodyPattern: z.string().max(500).refine(isRegExp, { message: 'not a valid regular expression' }).optional(),
  stat: z.enum(RECEIPT_STATS),
  /** The receipt's err: field, three digits. Defaults to 000 for DELIVRD, else 001. */
  err: z
    .string()
    .regex(/^\d{3}$/, 'err must be three digits')
    .optional(),
});
export const receiptRulesSchema = z.array(receiptRuleSchema).max(1_000);

export type ReceiptRule = z.input<typeof receiptRuleSchema>;

export interface ReceiptOutcome {
  stat: ReceiptStat;
  err: string;
  messageState: number;
}

export interface ReceiptSubject {
  destination: string;
  text: string;
}

export type ReceiptPolicy = (message: ReceiptSubject) => ReceiptOutcome;

const DELIVERED: ReceiptOutcome = { stat: 'DELIVRD', err: '000', messageState: MESSAGE_STATE.DELIVRD };

/** Validate and compile rules once; the returned policy is a pure function of the message. */
export function receiptPolicy(rules: readonly ReceiptRule[]): ReceiptPolicy {
  const compiled = receiptRulesSchema.parse(rules).map((rule) => ({
    suffix: rule.destinationSuffix,
    pattern: rule.bodyPattern === undefined ? undefined : new RegExp(rule.bodyPattern),
    outcome: {
      stat: rule.stat,
      err: rule.err ?? (rule.stat === 'DELIVRD' ? '000' : '001'),
      messageState: MESSAGE_STATE[rule.stat],
    },
  }));
  return ({ destination, text }) => {
    for (const rule of compiled) {
      if (rule.suffix !== undefined && !destination.endsWith(rule.suffix)) continue;
      if (rule.pattern !== undefined && !rule.pattern.test(text)) continue;
      return { ...rule.outcome };
    }
    return { ...DELIVERED };
  };
}

/** One-off form of receiptPolicy. */
export function decideReceipt(rules: readonly ReceiptRule[], message: ReceiptSubject): ReceiptOutcome {
  return receiptPolicy(rules)(message);
}

function isRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}
