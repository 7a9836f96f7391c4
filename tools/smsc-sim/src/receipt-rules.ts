/**
 * Which final state the simulated network reports for a message. Rules are checked in
 * order; the first that matches decides. No rule matches: DELIVRD.
 */
export type ReceiptStat = 'DELIVRD' | 'UNDELIV' | 'EXPIRED' | 'REJECTD';

export interface ReceiptRule {
  /** Matches when the destination address ends with this. */
  destinationSuffix?: string;
  /** Matches when the message text matches this regular expression. */
  bodyPattern?: string;
  stat: ReceiptStat;
  /** The receipt's err: field (three digits). */
  err?: string;
}

export interface ReceiptDecision {
  stat: ReceiptStat;
  err: string;
  /** SMPP message_state for the TLV. */
  messageState: number;
}

const MESSAGE_STATE: Record<ReceiptStat, number> = { DELIVRD: 2, EXPIRED: 3, UNDELIV: 5, REJECTD: 8 };

export function decideReceipt(
  rules: readonly ReceiptRule[],
  destination: string,
  text: string,
): ReceiptDecision {
  for (const rule of rules) {
    const suffixOk = rule.destinationSuffix === undefined || destination.endsWith(rule.destinationSuffix);
    const bodyOk = rule.bodyPattern === undefined || new RegExp(rule.bodyPattern).test(text);
    if (suffixOk && bodyOk && (rule.destinationSuffix !== undefined || rule.bodyPattern !== undefined)) {
      return {
        stat: rule.stat,
        err: rule.err ?? (rule.stat === 'DELIVRD' ? '000' : '001'),
        messageState: MESSAGE_STATE[rule.stat],
      };
    }
  }
  return { stat: 'DELIVRD', err: '000', messageState: MESSAGE_STATE.DELIVRD };
}

function smppDate(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getUTCFullYear() % 100)}${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}${two(date.getUTCHours())}${two(date.getUTCMinutes())}`;
}

/** The de-facto standard receipt text (SMPP 3.4 appendix B). The body is never echoed. */
export function receiptText(id: string, decision: ReceiptDecision, submittedAt: Date, doneAt: Date): string {
  const delivered = decision.stat === 'DELIVRD' ? '001' : '000';
  return `id:${id} sub:001 dlvrd:${delivered} submit date:${smppDate(submittedAt)} done date:${smppDate(doneAt)} stat:${decision.stat} err:${decision.err} text:`;
}
