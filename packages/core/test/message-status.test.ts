import {
  canTransition,
  isMessageStatus,
  isTerminal,
  MESSAGE_STATUSES,
  type MessageStatus,
  predecessorsOf,
} from '@maskline/core';
import { describe, expect, it } from 'vitest';

const TERMINALS = ['delivered', 'undeliverable', 'expired', 'rejected', 'failed'] as const;

// The allowed moves, written out by hand (not derived from the implementation).
const ALLOWED: Record<MessageStatus, readonly MessageStatus[]> = {
  accepted: ['queued', 'submitted', ...TERMINALS],
  queued: ['submitted', ...TERMINALS],
  submitted: [...TERMINALS],
  delivered: [],
  undeliverable: [],
  expired: [],
  rejected: [],
  failed: [],
};

const ALL_PAIRS = MESSAGE_STATUSES.flatMap((from) => MESSAGE_STATUSES.map((to) => [from, to] as const));
const ALLOWED_PAIRS = ALL_PAIRS.filter(([from, to]) => ALLOWED[from].includes(to));
const FORBIDDEN_PAIRS = ALL_PAIRS.filter(([from, to]) => !ALLOWED[from].includes(to));

describe('message status state machine', () => {
  it('knows exactly the eight statuses in stage order', () => {
    expect(MESSAGE_STATUSES).toEqual(['accepted', 'queued', 'submitted', ...TERMINALS]);
  });

  it('covers every pair of statuses in this test (64 = 18 allowed + 46 forbidden)', () => {
    expect(ALLOWED_PAIRS).toHaveLength(18);
    expect(FORBIDDEN_PAIRS).toHaveLength(46);
  });

  it.each(ALLOWED_PAIRS)('allows %s -> %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
  });

  it.each(FORBIDDEN_PAIRS)('forbids %s -> %s', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
  });

  it.each(TERMINALS)('never moves %s (terminal) anywhere', (from) => {
    for (const to of MESSAGE_STATUSES) expect(canTransition(from, to)).toBe(false);
  });

  it.each(MESSAGE_STATUSES)('treats a duplicate %s -> %s as a no-op (not a transition)', (status) => {
    expect(canTransition(status, status)).toBe(false);
  });

  it('never moves backwards', () => {
    const order = ['accepted', 'queued', 'submitted'] as const;
    for (const [i, from] of order.entries()) {
      for (const to of order.slice(0, i)) expect(canTransition(from, to)).toBe(false);
    }
    for (const from of TERMINALS) {
      for (const to of order) expect(canTransition(from, to)).toBe(false);
    }
  });

  it('never moves between terminal statuses (a late receipt cannot rewrite the outcome)', () => {
    for (const from of TERMINALS) {
      for (const to of TERMINALS) expect(canTransition(from, to)).toBe(false);
    }
  });

  it('flags exactly the five outcome statuses as terminal', () => {
    expect(MESSAGE_STATUSES.filter((s) => isTerminal(s))).toEqual([...TERMINALS]);
  });

  it('recognizes status strings and nothing else', () => {
    for (const s of MESSAGE_STATUSES) expect(isMessageStatus(s)).toBe(true);
    for (const v of ['', 'DELIVERED', 'sent', 'pending', null, undefined, 3, {}]) {
      expect(isMessageStatus(v)).toBe(false);
    }
  });
});

describe('predecessorsOf', () => {
  const expected: Record<MessageStatus, MessageStatus[]> = {
    accepted: [],
    queued: ['accepted'],
    submitted: ['accepted', 'queued'],
    delivered: ['accepted', 'queued', 'submitted'],
    undeliverable: ['accepted', 'queued', 'submitted'],
    expired: ['accepted', 'queued', 'submitted'],
    rejected: ['accepted', 'queued', 'submitted'],
    failed: ['accepted', 'queued', 'submitted'],
  };

  it.each(MESSAGE_STATUSES)('lists the statuses that may move to %s', (to) => {
    expect(predecessorsOf(to)).toEqual(expected[to]);
  });

  it('never lists the target itself or a terminal status (the guarded UPDATE stays a no-op)', () => {
    for (const to of MESSAGE_STATUSES) {
      const predecessors = predecessorsOf(to);
      expect(predecessors).not.toContain(to);
      for (const p of predecessors) expect(isTerminal(p)).toBe(false);
    }
  });
});
