import { describe, expect, it } from 'vitest';
import { parseCommandStats, redisCommandsLine } from '../src/redis-commands.js';

describe('Redis command counters', () => {
  const info = [
    '# Commandstats',
    'cmdstat_evalsha:calls=300,usec=900,usec_per_call=3.00,rejected_calls=0,failed_calls=0',
    'cmdstat_bzpopmin:calls=40,usec=80,usec_per_call=2.00,rejected_calls=0,failed_calls=0',
    'cmdstat_config|resetstat:calls=1,usec=5,usec_per_call=5.00,rejected_calls=0,failed_calls=0',
    'cmdstat_hmget:calls=1200,usec=600,usec_per_call=0.50,rejected_calls=0,failed_calls=0',
    '',
  ].join('\r\n');

  it('reads each command and its calls, most called first', () => {
    expect(parseCommandStats(info)).toEqual([
      { command: 'hmget', calls: 1200 },
      { command: 'evalsha', calls: 300 },
      { command: 'bzpopmin', calls: 40 },
      { command: 'config|resetstat', calls: 1 },
    ]);
  });

  it('reports commands per delivered message', () => {
    expect(redisCommandsLine(parseCommandStats(info), 100, 2)).toBe(
      'Redis (INFO commandstats): 15.41 commands per delivered message (1,541 in all); most called: hmget 12.00, evalsha 3.00.',
    );
  });
});
