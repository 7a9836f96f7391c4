import type { ReserveRequest } from '@maskline/masking';

/** A pair session on the simulator carrier in GB, dropping non-participants (tests' default). */
export function pairRequest(participants: string[], overrides: Partial<ReserveRequest> = {}): ReserveRequest {
  return {
    mode: 'pair',
    ttlSeconds: 600,
    constraints: { country: 'GB', carrierId: 'sim', capabilities: ['sms-mt', 'sms-mo'] },
    nonParticipantPolicy: 'drop',
    autoReplyText: null,
    inboxDelivery: 'participant',
    participants,
    ...overrides,
  };
}
