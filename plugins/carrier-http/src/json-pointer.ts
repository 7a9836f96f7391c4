/** A JSON Pointer (RFC 6901): "" is the whole document, "/a/0/b" walks objects and arrays. */
export const JSON_POINTER = /^(\/([^~/]|~[01])*)*$/;

/** The value a pointer names in `document`, or undefined when it names nothing. */
export function resolvePointer(document: unknown, pointer: string): unknown {
  if (pointer === '') return document;
  let current = document;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current)) {
      if (!/^(0|[1-9]\d*)$/.test(token)) return undefined;
      current = current[Number(token)];
    } else if (current !== null && typeof current === 'object' && Object.hasOwn(current, token)) {
      current = (current as Record<string, unknown>)[token];
    } else {
      return undefined;
    }
  }
  return current;
}

/** A scalar at the pointer as text (ids may be numbers); undefined for anything else. */
export function textAt(document: unknown, pointer: string): string | undefined {
  const value = resolvePointer(document, pointer);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}
