/**
 * Sandbox magic numbers (docs/guides/sandbox.md): with an `ml_test_` key, a message to one of
 * these ends in the named final status, reported by the simulator's delivery receipt. Any
 * other number is delivered. They sit in +1 500 555 0xxx, a range no carrier assigns to a
 * subscriber, and are honoured only by the simulator (a live carrier never sees a test key's
 * message).
 */
export const SANDBOX_NUMBERS = {
  '+15005550000': { status: 'delivered', receipt: 'DELIVRD' },
  '+15005550001': { status: 'undeliverable', receipt: 'UNDELIV' },
  '+15005550002': { status: 'expired', receipt: 'EXPIRED' },
  '+15005550003': { status: 'rejected', receipt: 'REJECTD' },
} as const;

export type SandboxNumber = keyof typeof SANDBOX_NUMBERS;

/** The simulator's receipt rules for the magic numbers (a destination-suffix rule each). */
export function sandboxReceiptRules(): {
  destinationSuffix: string;
  stat: 'DELIVRD' | 'UNDELIV' | 'EXPIRED' | 'REJECTD';
}[] {
  return Object.entries(SANDBOX_NUMBERS).map(([number, { receipt }]) => ({
    destinationSuffix: number.slice(1),
    stat: receipt,
  }));
}
