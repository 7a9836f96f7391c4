import { describe, expect, it } from 'vitest';
import { DependencyHealth, describeFailure, OutageTracker } from '../src/health/outage-tracker.js';
import type { Logger } from '../src/logging/logger.js';

function recordingLogger() {
  const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  const at =
    (level: string) =>
    (fields: Record<string, unknown>, message: string): void =>
      void lines.push({ level, fields, message });
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  };
  return { logger, lines };
}

describe('OutageTracker', () => {
  it('logs once when the dependency goes down and once when it is back, counting every failure', () => {
    const { logger, lines } = recordingLogger();
    let now = 1_000;
    const tracker = new OutageTracker('postgres', logger, () => now);
    tracker.succeeded();
    for (let i = 0; i < 500; i += 1)
      tracker.failed(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    now = 3_700;
    tracker.succeeded();
    tracker.succeeded();
    expect(lines).toEqual([
      {
        level: 'warn',
        message: 'postgres unavailable',
        fields: {
          dependency: 'postgres',
          reason: 'ECONNREFUSED',
          failures: 1,
          outages: 1,
          failuresThisOutage: 1,
        },
      },
      {
        level: 'info',
        message: 'postgres available again',
        fields: {
          dependency: 'postgres',
          downForMs: 2_700,
          failures: 500,
          outages: 1,
          failuresThisOutage: 500,
        },
      },
    ]);
    expect(tracker.snapshot()).toEqual({
      dependency: 'postgres',
      state: 'up',
      failures: 500,
      outages: 1,
      failuresThisOutage: 500,
    });
  });

  it('takes a success as recovery only once failures have stopped for settleMs (no flapping)', () => {
    const { logger, lines } = recordingLogger();
    let now = 0;
    const tracker = new OutageTracker('redis', logger, () => now, 500);
    tracker.failed(new Error('x'));
    now = 100;
    tracker.succeeded(); // a late answer to a command sent before the outage
    tracker.failed(new Error('x'));
    now = 400;
    tracker.succeeded();
    expect(tracker.isDown).toBe(true);
    now = 700;
    tracker.succeeded();
    expect(tracker.isDown).toBe(false);
    expect(lines.map((l) => l.message)).toEqual(['redis unavailable', 'redis available again']);
  });

  it('takes a fresh connection as recovery at once', () => {
    const { logger } = recordingLogger();
    const tracker = new OutageTracker('redis', logger, () => 0, 500);
    tracker.failed(new Error('x'));
    tracker.succeeded(true);
    expect(tracker.isDown).toBe(false);
  });

  it('describes a failure by its code or class only, never its message', () => {
    expect(describeFailure(Object.assign(new Error('secret host 10.0.0.1'), { code: '57P01' }))).toBe(
      '57P01',
    );
    expect(describeFailure(new TypeError('+447911123456'))).toBe('TypeError');
    expect(describeFailure('a string')).toBe('unknown');
  });
});

describe('DependencyHealth', () => {
  const setup = () => {
    const { logger, lines } = recordingLogger();
    const pg = new OutageTracker('postgres', logger);
    const redis = new OutageTracker('redis', logger);
    const health = new DependencyHealth([
      { tracker: pg, isUnavailable: (e) => (e as { code?: string }).code === 'ECONNREFUSED' },
      { tracker: redis, isUnavailable: (e) => (e as Error).message === 'Connection is closed.' },
    ]);
    return { health, pg, redis, logger, lines };
  };

  it('finds an outage in an error or its causes and marks that dependency down', () => {
    const { health, pg, redis } = setup();
    const wrapped = new Error('enqueue failed', { cause: new Error('Connection is closed.') });
    expect(health.unavailableFor(wrapped)).toBe(redis);
    expect(redis.isDown).toBe(true);
    expect(pg.isDown).toBe(false);
    expect(health.unavailableFor(new Error('duplicate key'))).toBeNull();
    expect(health.snapshot().map((s) => [s.dependency, s.state])).toEqual([
      ['postgres', 'up'],
      ['redis', 'down'],
    ]);
  });

  it('logUnlessUnavailable: an outage is the tracker’s one line, anything else is logged', () => {
    const { health, logger, lines } = setup();
    const refused = Object.assign(new Error('connect'), { code: 'ECONNREFUSED' });
    for (let i = 0; i < 100; i += 1) health.logUnlessUnavailable(logger, refused, {}, 'enqueue failed');
    health.logUnlessUnavailable(logger, new Error('bug'), { messageId: 'm1' }, 'enqueue failed');
    expect(lines.map((l) => l.message)).toEqual(['postgres unavailable', 'enqueue failed']);
    expect(lines[1]?.fields).toMatchObject({ messageId: 'm1' });
  });
});
