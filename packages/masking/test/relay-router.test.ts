import { describe, expect, it } from 'vitest';
import {
  DEFAULT_AUTO_REPLY,
  type RouteInput,
  type RouteSession,
  routeInbound,
} from '../src/relay/relay-router.js';

const number = {
  id: 'n1',
  tenantId: 't1',
  e164: '+447911200001',
  carrierId: 'sim',
  state: 'reserved' as const,
};
const session = (overrides: Partial<RouteSession> = {}): RouteSession => ({
  id: 's1',
  mode: 'pair',
  nonParticipantPolicy: 'drop',
  autoReplyText: null,
  inboxDelivery: 'participant',
  participantIds: ['pa', 'pb'],
  ...overrides,
});
const drop = { kind: 'drop' } as const;

function route(input: Partial<RouteInput>, quarantine: Parameters<typeof routeInbound>[1] = drop) {
  return routeInbound({ number, session: session(), senderParticipantId: null, ...input }, quarantine);
}

describe('routeInbound', () => {
  it('drops a message to a number in no pool', () => {
    expect(route({ number: null })).toEqual({
      kind: 'drop',
      tenantId: null,
      sessionId: null,
      reason: 'unknown_number',
    });
  });

  it('relays pair messages to the other participant from the same virtual number, both ways', () => {
    const relay = { kind: 'relay', tenantId: 't1', sessionId: 's1', from: '+447911200001', carrierId: 'sim' };
    expect(route({ senderParticipantId: 'pa' })).toEqual({ ...relay, toParticipantId: 'pb' });
    expect(route({ senderParticipantId: 'pb' })).toEqual({ ...relay, toParticipantId: 'pa' });
  });

  it('drops a pair message when the other participant is not mapped yet', () => {
    expect(route({ session: session({ participantIds: ['pa'] }), senderParticipantId: 'pa' })).toMatchObject({
      kind: 'drop',
      reason: 'not_mapped',
    });
  });

  it('applies the non-participant policy to strangers: drop, webhook, auto-reply', () => {
    expect(route({})).toMatchObject({
      kind: 'drop',
      reason: 'non_participant',
      sessionId: 's1',
      tenantId: 't1',
    });
    expect(route({ session: session({ nonParticipantPolicy: 'webhook' }) })).toEqual({
      kind: 'webhook',
      tenantId: 't1',
      sessionId: 's1',
      reason: 'non_participant',
    });
    expect(
      route({ session: session({ nonParticipantPolicy: 'auto_reply', autoReplyText: 'Busy' }) }),
    ).toEqual({
      kind: 'auto_reply',
      tenantId: 't1',
      sessionId: 's1',
      from: '+447911200001',
      carrierId: 'sim',
      text: 'Busy',
      reason: 'non_participant',
    });
    expect(route({ session: session({ nonParticipantPolicy: 'auto_reply' }) })).toMatchObject({
      text: DEFAULT_AUTO_REPLY,
    });
  });

  it('treats a sender id that is not in this session as a stranger', () => {
    expect(route({ senderParticipantId: 'other-session-participant' })).toMatchObject({
      reason: 'non_participant',
    });
  });

  it('inbox: anyone but the owner reaches the owner; the owner texting the inbox is dropped', () => {
    const inbox = session({ mode: 'inbox', participantIds: ['owner'] });
    expect(route({ session: inbox })).toMatchObject({ kind: 'relay', toParticipantId: 'owner' });
    expect(route({ session: inbox, senderParticipantId: 'owner' })).toMatchObject({
      kind: 'drop',
      reason: 'owner_to_inbox',
    });
    expect(route({ session: session({ mode: 'inbox', participantIds: [] }) })).toMatchObject({
      reason: 'not_mapped',
    });
  });

  it('inbox with webhook delivery records messages for the webhook', () => {
    const inbox = session({ mode: 'inbox', participantIds: [], inboxDelivery: 'webhook' });
    expect(route({ session: inbox })).toMatchObject({ kind: 'webhook', reason: 'inbox' });
  });

  it('verification: the user reply goes to the webhook, strangers follow the policy', () => {
    const verification = session({ mode: 'verification', participantIds: ['user'] });
    expect(route({ session: verification, senderParticipantId: 'user' })).toMatchObject({
      kind: 'webhook',
      reason: 'verification_reply',
    });
    expect(route({ session: verification })).toMatchObject({ kind: 'drop', reason: 'non_participant' });
  });

  it('without a live session: quarantined numbers follow the quarantine policy', () => {
    const quarantined = { ...number, state: 'quarantined' as const };
    expect(route({ number: quarantined, session: null })).toEqual({
      kind: 'drop',
      tenantId: 't1',
      sessionId: null,
      reason: 'quarantined',
    });
    expect(route({ number: quarantined, session: null }, { kind: 'auto_reply', text: 'Gone' })).toEqual({
      kind: 'auto_reply',
      tenantId: 't1',
      sessionId: null,
      from: '+447911200001',
      carrierId: 'sim',
      text: 'Gone',
      reason: 'quarantined',
    });
    expect(route({ number: { ...number, state: 'available' }, session: null })).toMatchObject({
      reason: 'no_session',
    });
    expect(
      route({ number: { ...number, state: 'retired' }, session: null }, { kind: 'auto_reply', text: 'x' }),
    ).toMatchObject({
      kind: 'drop',
      reason: 'retired',
    });
  });
});
