import { z } from 'zod';
import { ESME_RMSGQFUL, ESME_RTHROTTLED } from './command-status.js';

const count = z.number().int().min(0).max(1_000_000_000);

/**
 * Failure modes the simulator can be told to show, per simulator, settable at runtime.
 * Counts are consumed one submit_sm at a time (from any session). setFaults replaces the
 * whole set; `{}` clears every fault.
 */
export const faultSettingsSchema = z.strictObject({
  /** Answer the next N submits with ESME_RTHROTTLED (0x58). */
  throttle: count.optional(),
  /** Answer this fraction (0..1) of submits with ESME_RTHROTTLED, until cleared. */
  throttleRatio: z.number().min(0).max(1).optional(),
  /** Answer the next N submits with ESME_RMSGQFUL (0x14). */
  queueFull: count.optional(),
  /** Send no response at all to the next N submits (they are not recorded, no receipt). */
  dropResponses: count.optional(),
  /** The Nth submit from now (1 = the next) is not answered: its connection is closed at once. */
  disconnectAfter: count.min(1).optional(),
  /**
   * The next N accepted submits send their delivery receipt BEFORE their submit_sm_resp
   * (a receipt overtaking the answer, as it can on a busy SMSC).
   */
  receiptFirst: count.optional(),
  /** Answer submits with this command_status: the next `count` of them, or all while set. */
  rejectSubmits: z
    .strictObject({ status: z.number().int().min(1).max(0xffff_ffff), count: count.optional() })
    .optional(),
});

export type FaultSettings = z.input<typeof faultSettingsSchema>;

export type FaultAction =
  | { kind: 'answer' }
  | { kind: 'status'; status: number }
  | { kind: 'drop' }
  | { kind: 'disconnect' };

/**
 * Decides what happens to each submit. The disconnect countdown counts every submit;
 * otherwise the first fault that applies wins, in this order: dropResponses, throttle,
 * queueFull, rejectSubmits, throttleRatio.
 */
export class Faults {
  private settings: FaultSettings = {};

  constructor(private readonly random: () => number = Math.random) {}

  set(settings: FaultSettings): void {
    this.settings = faultSettingsSchema.parse(settings); // a fresh copy: counting down never touches the caller's
  }

  /** What is left of the current faults (counts go down as submits consume them). */
  current(): FaultSettings {
    return structuredClone(this.settings);
  }

  /** Whether this accepted submit's receipt goes before its response (consumes one receiptFirst). */
  receiptFirst(): boolean {
    return take(this.settings, 'receiptFirst');
  }

  next(): FaultAction {
    const s = this.settings;
    if (s.disconnectAfter !== undefined) {
      s.disconnectAfter -= 1;
      if (s.disconnectAfter <= 0) {
        delete s.disconnectAfter;
        return { kind: 'disconnect' };
      }
    }
    if (take(s, 'dropResponses')) return { kind: 'drop' };
    if (take(s, 'throttle')) return { kind: 'status', status: ESME_RTHROTTLED };
    if (take(s, 'queueFull')) return { kind: 'status', status: ESME_RMSGQFUL };
    const reject = s.rejectSubmits;
    if (reject) {
      if (reject.count === undefined) return { kind: 'status', status: reject.status };
      if (reject.count > 0) {
        reject.count -= 1;
        if (reject.count === 0) delete s.rejectSubmits;
        return { kind: 'status', status: reject.status };
      }
      delete s.rejectSubmits;
    }
    if (s.throttleRatio && this.random() < s.throttleRatio)
      return { kind: 'status', status: ESME_RTHROTTLED };
    return { kind: 'answer' };
  }
}

function take(
  settings: FaultSettings,
  key: 'dropResponses' | 'throttle' | 'queueFull' | 'receiptFirst',
): boolean {
  const left = settings[key];
  if (!left) return false;
  if (left <= 1) delete settings[key];
  else settings[key] = left - 1;
  return true;
}
