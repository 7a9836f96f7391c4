import { type ZodType, z } from 'zod';
import type { JsonSchema } from './operation-doc.js';

/**
 * The JSON Schema (2020-12) of a request a zod schema parses: what a client may send
 * (defaults optional), so the document cannot drift from the parser it describes.
 */
export function zodSchema(schema: ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
}
