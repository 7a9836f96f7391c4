import {
  type DependencyHealth,
  type Logger,
  MasklineError,
  type Message,
  NO_DEPENDENCY_HEALTH,
  segmentInfo,
  uuidv7,
} from '@maskline/core';
import type { MaskingService } from '@maskline/masking';
import type { DeliveryQueues } from '@maskline/queues';
import type { MessageRepository } from '@maskline/storage';
import { activeTraceparent } from '@maskline/telemetry';
import type { RequestDigests } from '../idempotency/request-digests.js';

export interface SessionMessageRequest {
  /** Participant id; null when the session has exactly one participant. */
  to: string | null;
  body: string;
}

export interface SessionMessageResult {
  message: Message;
  created: boolean;
  toMasked: string;
  from: string;
}

/**
 * Sends a message from a session's virtual number to one of its participants (an OTP in a
 * verification session, a notice in a pair): the client names the participant by id and
 * never handles the real number. Stored and enqueued like POST /v1/messages (sealed row
 * first, then a job with ids only); the Idempotency-Key shares that endpoint's namespace.
 */
export class SessionMessages {
  constructor(
    private readonly masking: MaskingService,
    private readonly messages: MessageRepository,
    private readonly queues: DeliveryQueues,
    private readonly logger: Logger,
    private readonly digests: RequestDigests,
    private readonly health: DependencyHealth = NO_DEPENDENCY_HEALTH,
  ) {}

  async send(
    tenantId: string,
    sessionId: string,
    request: SessionMessageRequest,
    idempotencyKey: string | null,
  ): Promise<SessionMessageResult> {
    const target = await this.masking.sendTarget(tenantId, sessionId, request.to);
    const outcome = await this.messages.insertAccepted({
      id: uuidv7(),
      tenantId,
      carrierId: target.carrierId,
      to: target.to,
      from: target.from,
      body: request.body,
      // Masked traffic leaves through the virtual number's own carrier (it hosts the number).
      kind: 'masking_relay',
      segments: segmentInfo(request.body).segments,
      idempotencyKey,
      ...(idempotencyKey
        ? this.digests.of(['masking', sessionId, request.to, request.body])
        : { requestDigest: null }),
      traceContext: activeTraceparent(),
    });
    const base = { toMasked: target.toMasked, from: target.from };
    if (outcome.kind === 'existing') {
      if (!outcome.sameRequest) throw new MasklineError('idempotency_conflict');
      return { message: outcome.message, created: false, ...base };
    }
    const { message } = outcome;
    try {
      await this.queues.enqueue([{ carrierId: message.carrierId, job: { messageId: message.id, tenantId } }]);
    } catch (error) {
      // Accepted and durable: the reconciler enqueues it.
      this.health.logUnlessUnavailable(
        this.logger,
        error,
        { messageId: message.id },
        'enqueue failed; left for the reconciler',
      );
    }
    return { message, created: true, ...base };
  }
}
