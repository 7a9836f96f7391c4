import type { z } from 'zod';
import { MasklineError } from '../errors/maskline-error.js';

/**
 * Validate configuration at boot and freeze it. The error names every wrong field
 * (never its value: a value may be a secret).
 */
export function parseConfig<S extends z.ZodType>(
  schema: S,
  source: unknown,
  name: string,
): Readonly<z.infer<S>> {
  const result = schema.safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new MasklineError('config_invalid', {
      message: `Invalid ${name} configuration: ${problems.join('; ')}`,
    });
  }
  return deepFreeze(result.data);
}

function deepFreeze<T>(value: T): Readonly<T> {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value as Record<string, unknown>)) deepFreeze(inner);
  }
  return value;
}
