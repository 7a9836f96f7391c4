import { maskPhoneNumber, type Vault } from '@maskline/core';
import type { InboundMessage, TenantNumberRepository } from '@maskline/storage';

/** What the log may say about it: ids only. */
export interface OwnedNumberOutcome {
  decision: 'message_inbound';
  tenantId: string;
  numberId: string;
}

/**
 * An inbound message to a number a tenant registered as its own (POST /v1/numbers), not a
 * masking pool number: it becomes the tenant's `message.inbound` webhook event. The event
 * names the sender by vault token and masked form; its body is added at send time, only
 * for the owner's endpoints that asked for bodies (as for inbound.received).
 */
export class OwnedNumberInbound {
  constructor(
    private readonly numbers: TenantNumberRepository,
    private readonly vault: Vault,
  ) {}

  /** Null when no tenant owns the number the message was sent to. */
  async handle(message: InboundMessage): Promise<OwnedNumberOutcome | null> {
    const owner = await this.numbers.ownerOf(message.to);
    if (!owner) return null;
    const tv = await this.vault.forTenant(owner.tenantId);
    await this.numbers.emitInbound(owner.tenantId, {
      inboundId: message.id,
      numberId: owner.numberId,
      to: message.to,
      from: message.from.startsWith('+') ? tv.token('pn', message.from) : message.from,
      fromMasked: message.from.startsWith('+') ? maskPhoneNumber(message.from) : message.from,
      carrierId: message.carrierId,
      receivedAt: message.receivedAt.toISOString(),
    });
    return { decision: 'message_inbound', tenantId: owner.tenantId, numberId: owner.numberId };
  }
}
