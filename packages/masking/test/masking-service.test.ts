import { silentLogger, systemClock } from '@maskline/core';
import { describe, expect, it } from 'vitest';
import {
  MaskingService,
  type MaskingStore,
  PARTICIPANT_FIELD,
  RelayService,
  type RouteRecord,
  type SealedParticipant,
} from '../src/index.js';
import { TestVault } from './support/test-vault.js';

const TENANT = '0190a5b2-1c3d-7e4f-8a9b-0c1d2e3f4a5b';
const A = '+447912300001';
const B = '+447912300002';

/** A store double that keeps what it is given, to check what leaves the service. */
function recordingStore() {
  const calls: { reserve: unknown[]; map: SealedParticipant[][]; events: unknown[] } = {
    reserve: [],
    map: [],
    events: [],
  };
  const session = { id: 's1', participants: [] };
  const store = {
    reserve: async (s: { participants: SealedParticipant[] }) => {
      calls.reserve.push(s);
      return { kind: 'created', session, numberCountry: 'GB', numberCarrier: 'sim' };
    },
    map: async (_t: string, _id: string, participants: SealedParticipant[]) => {
      calls.map.push(participants);
      return session;
    },
    numbers: { checkWatermark: async () => null },
    events: { recordInboundEvent: async (...args: unknown[]) => void calls.events.push(args) },
  };
  return { store: store as unknown as MaskingStore, calls };
}

describe('MaskingService (unit, test vault)', () => {
  it('hands the store only sealed numbers, blind indexes and masked forms', async () => {
    const vault = new TestVault();
    const { store, calls } = recordingStore();
    const scheduled: unknown[] = [];
    const service = new MaskingService(
      store,
      vault,
      { schedule: async (job, delay) => void scheduled.push([job, delay]) },
      silentLogger,
      systemClock,
    );
    await service.reserve(
      TENANT,
      {
        mode: 'pair',
        ttlSeconds: 120,
        constraints: { country: null, carrierId: null, capabilities: ['sms-mo'] },
        nonParticipantPolicy: 'drop',
        autoReplyText: null,
        inboxDelivery: 'participant',
        participants: [A, B],
      },
      'k1',
    );
    const reserved = calls.reserve[0] as { participants: SealedParticipant[]; requestDigest: Buffer };
    const text =
      JSON.stringify(calls.reserve) +
      Buffer.concat(reserved.participants.map((p) => p.numberSealed)).toString('latin1');
    expect(text).not.toContain(A.slice(1));
    expect(text).not.toContain(B.slice(1));
    expect(reserved.participants.map((p) => p.numberMasked)).toEqual(['+4479****0001', '+4479****0002']);
    const tv = await vault.forTenant(TENANT);
    const [first] = reserved.participants;
    expect(tv.open({ recordId: first!.id, field: PARTICIPANT_FIELD }, first!.numberSealed)).toBe(A);
    expect(first!.numberIndex.equals(tv.blindIndex(A))).toBe(true);
    // Sealed values are bound to their participant: moved to another record they do not open.
    expect(() =>
      tv.open({ recordId: reserved.participants[1]!.id, field: PARTICIPANT_FIELD }, first!.numberSealed),
    ).toThrow();
    expect(reserved.requestDigest).toBeInstanceOf(Buffer);
    expect(scheduled).toEqual([[{ sessionId: expect.any(String), tenantId: TENANT }, 120_000]]);
  });

  it('rejects a bad number or too many participants before touching the store', async () => {
    const { store, calls } = recordingStore();
    const service = new MaskingService(
      store,
      new TestVault(),
      { schedule: async () => {} },
      silentLogger,
      systemClock,
    );
    await expect(service.map(TENANT, 's1', ['07912 300001'])).rejects.toMatchObject({
      code: 'invalid_phone_number',
    });
    await expect(service.map(TENANT, 's1', [])).rejects.toMatchObject({
      code: 'masking_participants_invalid',
    });
    const request = {
      mode: 'inbox' as const,
      ttlSeconds: 60,
      constraints: { country: null, carrierId: null, capabilities: ['sms-mo' as const] },
      nonParticipantPolicy: 'drop' as const,
      autoReplyText: null,
      inboxDelivery: 'participant' as const,
      participants: [A, B],
    };
    await expect(service.reserve(TENANT, request, null)).rejects.toMatchObject({
      code: 'masking_participants_invalid',
    });
    expect(calls.reserve).toEqual([]);
    expect(calls.map).toEqual([]);
  });
});

describe('RelayService (unit, test vault)', () => {
  async function routeFixture() {
    const vault = new TestVault();
    const tv = await vault.forTenant(TENANT);
    const participant = (id: string, number: string) => ({
      id,
      numberIndex: tv.blindIndex(number),
      numberSealed: tv.seal({ recordId: id, field: PARTICIPANT_FIELD }, number),
    });
    const record: RouteRecord = {
      number: { id: 'n1', tenantId: TENANT, e164: '+447911200001', carrierId: 'sim', state: 'reserved' },
      session: {
        id: 's1',
        mode: 'pair',
        nonParticipantPolicy: 'webhook',
        autoReplyText: null,
        inboxDelivery: 'participant',
        participants: [participant('pa', A), participant('pb', B)],
      },
    };
    const events: unknown[][] = [];
    const store = {
      findRoute: async (e164: string) => (e164 === record.number.e164 ? record : null),
      events: { recordInboundEvent: async (...args: unknown[]) => void events.push(args) },
    } as unknown as MaskingStore;
    return { relay: new RelayService(store, vault, { kind: 'drop' }), events };
  }

  it('matches the sender by blind index and opens only the target number', async () => {
    const { relay } = await routeFixture();
    const result = await relay.route({ id: 'i1', from: A, to: '+447911200001', body: 'hi' });
    expect(result.outbound).toEqual({
      tenantId: TENANT,
      carrierId: 'sim',
      to: B,
      from: '+447911200001',
      body: 'hi',
    });
  });

  it('records a stranger for the webhook with a token and a masked number, never the number', async () => {
    const { relay, events } = await routeFixture();
    const stranger = '+447912300009';
    const result = await relay.route({ id: 'i2', from: stranger, to: '+447911200001', body: 'secret body' });
    expect(result.outbound).toBeNull();
    expect(events).toEqual([
      [
        TENANT,
        's1',
        'inbound.received',
        {
          inboundId: 'i2',
          virtualNumber: '+447911200001',
          from: expect.stringMatching(/^pn_/),
          fromMasked: '+4479****0009',
          reason: 'non_participant',
        },
      ],
    ]);
    expect(JSON.stringify(events)).not.toContain(stranger.slice(1));
    expect(JSON.stringify(events)).not.toContain('secret body');
  });

  it('drops messages to numbers in no pool without recording anything', async () => {
    const { relay, events } = await routeFixture();
    const result = await relay.route({ id: 'i3', from: A, to: '+447911123456', body: 'x' });
    expect(result).toEqual({
      decision: { kind: 'drop', tenantId: null, sessionId: null, reason: 'unknown_number' },
      outbound: null,
    });
    expect(events).toEqual([]);
  });
});
