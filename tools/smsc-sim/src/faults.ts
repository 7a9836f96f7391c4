/**
 * Failure modes the simulator can be told to show, for tests and drills. Counts are
 * consumed one submit at a time; `throttleRatio` applies to every submit while set.
 */
export interface FaultSettings {
  /** Answer the next N submits with ESME_RTHROTTLED. */
  throttleNext?: number;
  /** Answer this fraction (0..1) of submits with ESME_RTHROTTLED. */
  throttleRatio?: number;
  /** Answer the next N submits with ESME_RMSGQFUL. */
  queueFullNext?: number;
  /** Do not answer the next N submits at all. */
  dropResponsesNext?: number;
  /** Close the connection after N more submits (the Nth is not answered). */
  disconnectAfter?: number;
  /** Answer the next N submits with this command_status. */
  rejectNext?: number;
  rejectStatus?: number;
}

export type FaultAction =
  | { kind: 'answer' }
  | { kind: 'status'; status: number }
  | { kind: 'drop' }
  | { kind: 'disconnect' };

export const ESME_RTHROTTLED = 0x58;
export const ESME_RMSGQFUL = 0x14;

export class Faults {
  private settings: FaultSettings = {};

  constructor(private readonly random: () => number = Math.random) {}

  set(settings: FaultSettings): void {
    this.settings = { ...settings };
  }

  current(): Readonly<FaultSettings> {
    return this.settings;
  }

  /** Decide what happens to the next submit_sm. */
  next(): FaultAction {
    const s = this.settings;
    if (s.disconnectAfter !== undefined) {
      s.disconnectAfter -= 1;
      if (s.disconnectAfter <= 0) {
        delete s.disconnectAfter;
        return { kind: 'disconnect' };
      }
    }
    if (take(s, 'dropResponsesNext')) return { kind: 'drop' };
    if (take(s, 'throttleNext')) return { kind: 'status', status: ESME_RTHROTTLED };
    if (take(s, 'queueFullNext')) return { kind: 'status', status: ESME_RMSGQFUL };
    if (s.rejectStatus !== undefined && take(s, 'rejectNext'))
      return { kind: 'status', status: s.rejectStatus };
    if (s.throttleRatio && this.random() < s.throttleRatio)
      return { kind: 'status', status: ESME_RTHROTTLED };
    return { kind: 'answer' };
  }
}

function take(
  settings: FaultSettings,
  key: 'dropResponsesNext' | 'throttleNext' | 'queueFullNext' | 'rejectNext',
): boolean {
  const left = settings[key];
  if (!left || left <= 0) return false;
  settings[key] = left - 1;
  return true;
}
