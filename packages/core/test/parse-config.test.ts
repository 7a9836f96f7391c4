import { MasklineError, parseConfig } from '@maskline/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const schema = z.object({
  port: z.coerce.number().int().min(1).max(65_535).default(8080),
  pepper: z.string().min(16),
  logLevel: z.enum(['debug', 'info', 'warn']).default('info'),
  redis: z.object({ url: z.string().min(1), prefix: z.string().default('ml') }),
  carriers: z.array(z.object({ id: z.string(), tps: z.number().min(0) })).default([]),
});

function configError(source: unknown): MasklineError {
  try {
    parseConfig(schema, source, 'ingest');
  } catch (error) {
    expect(error).toBeInstanceOf(MasklineError);
    return error as MasklineError;
  }
  throw new Error('expected parseConfig to throw');
}

describe('parseConfig', () => {
  const valid = {
    port: '9090',
    pepper: 'a-very-long-server-pepper',
    redis: { url: 'redis://127.0.0.1:6379' },
    carriers: [{ id: 'sim', tps: 10 }],
  };

  it('returns the parsed value with coercions and defaults applied', () => {
    expect(parseConfig(schema, valid, 'ingest')).toEqual({
      port: 9090,
      pepper: 'a-very-long-server-pepper',
      logLevel: 'info',
      redis: { url: 'redis://127.0.0.1:6379', prefix: 'ml' },
      carriers: [{ id: 'sim', tps: 10 }],
    });
  });

  it('freezes the result deeply', () => {
    const config = parseConfig(schema, valid, 'ingest');
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.redis)).toBe(true);
    expect(Object.isFrozen(config.carriers)).toBe(true);
    expect(Object.isFrozen(config.carriers[0])).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(() => {
      (config.carriers as { id: string; tps: number }[]).push({ id: 'x', tps: 1 });
    }).toThrow(TypeError);
  });

  it("does not freeze the caller's source object", () => {
    const source = structuredClone(valid);
    parseConfig(schema, source, 'ingest');
    expect(Object.isFrozen(source)).toBe(false);
    expect(Object.isFrozen(source.redis)).toBe(false);
  });

  it('throws config_invalid naming the config and every wrong field', () => {
    const error = configError({
      port: 'eighty',
      pepper: 'short',
      logLevel: 'loud',
      redis: {},
      carriers: [{ id: 'sim', tps: -1 }],
    });
    expect(error.code).toBe('config_invalid');
    expect(error.status).toBe(500);
    expect(error.retry).toBe('permanent');
    expect(error.message).toMatch(/^Invalid ingest configuration: /);
    for (const field of ['port:', 'pepper:', 'logLevel:', 'redis.url:', 'carriers.0.tps:']) {
      expect(error.message).toContain(field);
    }
  });

  it('never puts a wrong value in the message (it may be a secret)', () => {
    const secret = 'hunter2-secret';
    const error = configError({ ...valid, pepper: secret, logLevel: 'super-secret-level' });
    expect(error.message).toContain('pepper:');
    expect(error.message).toContain('logLevel:');
    expect(error.message).not.toContain(secret);
    expect(error.message).not.toContain('super-secret-level');
    expect(JSON.stringify(error.toResponseBody())).not.toContain(secret);
  });

  it('names the root when the whole source is wrong', () => {
    const error = configError(null);
    expect(error.code).toBe('config_invalid');
    expect(error.message).toContain('(root):');
  });

  it('works with non-object schemas', () => {
    expect(parseConfig(z.coerce.number().int(), '42', 'answer')).toBe(42);
    expect(() => parseConfig(z.number(), 'x', 'answer')).toThrow(/Invalid answer configuration: \(root\)/);
  });
});
