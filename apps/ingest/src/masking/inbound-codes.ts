import { MasklineError } from '@maskline/core';
import type { MaskingEventStore } from '@maskline/masking';
import type { InboundRepository } from '@maskline/storage';
import { extractVerificationCode } from '@maskline/verification';

/** The one-time code read out of an inbound SMS of a verification session. */
export interface InboundCodeView {
  inboundId: string;
  sessionId: string | null;
  /** null when the text holds no code the extractor recognises. */
  code: string | null;
  brand: string | null;
}

/**
 * GET /v1/masking/inbound/{id}/code: only for the tenant whose verification session the
 * message reached (another tenant's, or a message of any other session, is not found).
 * The body is opened just in time and only the code and brand leave this function.
 */
export class InboundCodes {
  constructor(
    private readonly events: Pick<MaskingEventStore, 'codeInboundSession'>,
    private readonly inbound: Pick<InboundRepository, 'load'>,
  ) {}

  async codeOf(tenantId: string, inboundId: string): Promise<InboundCodeView> {
    const owned = await this.events.codeInboundSession(tenantId, inboundId);
    const message = owned ? await this.inbound.load(inboundId) : null;
    if (!owned || !message) throw new MasklineError('inbound_message_not_found');
    const found = extractVerificationCode(message.body);
    return { inboundId, sessionId: owned.sessionId, code: found?.code ?? null, brand: found?.brand ?? null };
  }
}
