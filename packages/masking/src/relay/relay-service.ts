import { maskPhoneNumber, type Vault } from '@maskline/core';
import { PARTICIPANT_FIELD } from '../sessions/masking-service.js';
import type { MaskingStore } from '../store/masking-store.js';
import { type QuarantinePolicy, type RouteDecision, routeInbound } from './relay-router.js';

/** An inbound message as the relay needs it (clear, opened just in time by the caller). */
export interface RelayInbound {
  id: string;
  from: string;
  to: string;
  body: string;
}

/** A message the relay wants sent: to a real number (clear only in memory) from a virtual one. */
export interface RelayOutbound {
  tenantId: string;
  carrierId: string;
  to: string;
  from: string;
  body: string;
}

export interface RelayResult {
  decision: RouteDecision;
  /** The message to send, for relay and auto_reply decisions. */
  outbound: RelayOutbound | null;
}

/**
 * Routes inbound messages through masking sessions: finds the virtual number's live
 * session, matches the sender by blind index (the sender's number is never decrypted or
 * compared in clear), decides with routeInbound, opens only the target's number, and
 * records an event for webhook, drop and auto-reply outcomes. Events carry the inbound id,
 * a vault token and the masked sender, never a real number or the body.
 */
export class RelayService {
  constructor(
    private readonly store: MaskingStore,
    private readonly vault: Vault,
    private readonly quarantine: QuarantinePolicy,
  ) {}

  async route(inbound: RelayInbound): Promise<RelayResult> {
    const record = await this.store.findRoute(inbound.to);
    const tv = record ? await this.vault.forTenant(record.number.tenantId) : null;
    let senderParticipantId: string | null = null;
    if (record?.session && tv) {
      const index = tv.blindIndex(inbound.from);
      senderParticipantId = record.session.participants.find((p) => p.numberIndex.equals(index))?.id ?? null;
    }
    const decision = routeInbound(
      {
        number: record?.number ?? null,
        session: record?.session
          ? { ...record.session, participantIds: record.session.participants.map((p) => p.id) }
          : null,
        senderParticipantId,
      },
      this.quarantine,
    );
    if (decision.tenantId && tv) {
      const base = {
        inboundId: inbound.id,
        virtualNumber: inbound.to,
        from: tv.token('pn', inbound.from),
        fromMasked: maskPhoneNumber(inbound.from),
      };
      if (decision.kind === 'webhook') {
        await this.store.events.recordInboundEvent(
          decision.tenantId,
          decision.sessionId,
          'inbound.received',
          {
            ...base,
            reason: decision.reason,
            // A verification session's inbound carries a one-time code: its webhook and
            // GET /v1/masking/inbound/{id}/code read it out of the body (never stored here).
            ...(record?.session?.mode === 'verification' ? { codeExtraction: true } : {}),
          },
        );
      } else if (decision.kind === 'drop') {
        await this.store.events.recordInboundEvent(decision.tenantId, decision.sessionId, 'inbound.dropped', {
          ...base,
          reason: decision.reason,
        });
      } else if (decision.kind === 'auto_reply') {
        await this.store.events.recordInboundEvent(
          decision.tenantId,
          decision.sessionId,
          'inbound.auto_replied',
          {
            ...base,
            reason: decision.reason,
          },
        );
      }
    }
    if (decision.kind === 'relay' && record?.session && tv) {
      const target = record.session.participants.find((p) => p.id === decision.toParticipantId)!;
      const to = await this.vault.openFor(
        decision.tenantId,
        { recordId: target.id, field: PARTICIPANT_FIELD },
        target.numberSealed,
      );
      return {
        decision,
        outbound: {
          tenantId: decision.tenantId,
          carrierId: decision.carrierId,
          to,
          from: decision.from,
          body: inbound.body,
        },
      };
    }
    if (decision.kind === 'auto_reply') {
      return {
        decision,
        outbound: {
          tenantId: decision.tenantId,
          carrierId: decision.carrierId,
          to: inbound.from,
          from: decision.from,
          body: decision.text,
        },
      };
    }
    return { decision, outbound: null };
  }
}
