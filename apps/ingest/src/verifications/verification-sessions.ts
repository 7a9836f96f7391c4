import type { Logger, Message } from '@maskline/core';
import type { MaskingService } from '@maskline/masking';
import type { SessionMessages } from '../masking/session-messages.js';

/** Most sends of one verification (the first and its resends). */
const SENDS_PER_VERIFICATION = 5;

/**
 * Verifications sent from a masked virtual number (docs/verifications.md#from-a-virtual-number):
 * each holds a masking session of mode `verification` whose one participant is the
 * destination. The code goes out as a session message (sealed row, ids-only job, the
 * number's own carrier); the user's replies reach the tenant's webhook through the session;
 * the session is released when the verification ends and expires on its own otherwise.
 */
export class VerificationSessions {
  constructor(
    private readonly masking: Pick<MaskingService, 'reserve' | 'release'>,
    private readonly messages: Pick<SessionMessages, 'send'>,
    private readonly logger: Logger,
  ) {}

  /**
   * Reserves a number for one verification. The session outlives every possible resend
   * (each restarts the validity), so resends leave from the same number.
   */
  async open(
    tenantId: string,
    to: string,
    country: string | null,
    ttlSeconds: number,
  ): Promise<{ sessionId: string; from: string }> {
    const { session } = await this.masking.reserve(
      tenantId,
      {
        mode: 'verification',
        ttlSeconds: ttlSeconds * SENDS_PER_VERIFICATION,
        constraints: { country, carrierId: null, capabilities: ['sms-mt'] },
        nonParticipantPolicy: 'drop',
        autoReplyText: null,
        inboxDelivery: 'webhook',
        participants: [to],
      },
      null,
    );
    return { sessionId: session.id, from: session.virtualNumber };
  }

  /** Sends one rendered code message from the session's number to its participant. */
  async send(tenantId: string, sessionId: string, body: string): Promise<Message> {
    const { message } = await this.messages.send(tenantId, sessionId, { to: null, body }, null);
    return message;
  }

  /**
   * Releases the session of a verification that ended (approved or locked): its number goes
   * to quarantine. Best effort: a session left open expires at its own time.
   */
  async close(tenantId: string, sessionId: string): Promise<void> {
    try {
      await this.masking.release(tenantId, sessionId);
    } catch (error) {
      this.logger.warn({ err: error, sessionId }, 'verification session not released; it expires on its own');
    }
  }
}
