/** The placeholders a request template may use. */
export const PLACEHOLDERS = ['to', 'from', 'body', 'messageId', 'tenantId', 'statusCallbackUrl'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type TemplateValues = Readonly<Record<Placeholder, string>>;

const PATTERN = /\{\{\s*([A-Za-z]+)\s*\}\}/g;

/** Placeholder names used in `text` that are not known (for config validation). */
export function unknownPlaceholders(text: string): string[] {
  return [...text.matchAll(PATTERN)]
    .map((m) => m[1] ?? '')
    .filter((name) => !(PLACEHOLDERS as readonly string[]).includes(name));
}

/** Every string in a JSON template, for validation. */
export function stringsOf(template: unknown): string[] {
  if (typeof template === 'string') return [template];
  if (Array.isArray(template)) return template.flatMap(stringsOf);
  if (template !== null && typeof template === 'object') {
    return Object.entries(template).flatMap(([key, value]) => [key, ...stringsOf(value)]);
  }
  return [];
}

/** `text` with each placeholder replaced by its value passed through `encode`. */
export function fillText(
  text: string,
  values: TemplateValues,
  encode: (v: string) => string = (v) => v,
): string {
  return text.replace(PATTERN, (_match, name: string) => encode(values[name as Placeholder] ?? ''));
}

/**
 * The JSON template with placeholders filled in every string (keys included). Values are
 * inserted as string content, so a body with quotes or braces stays one JSON string.
 */
export function fillJson(template: unknown, values: TemplateValues): unknown {
  if (typeof template === 'string') return fillText(template, values);
  if (Array.isArray(template)) return template.map((item) => fillJson(item, values));
  if (template !== null && typeof template === 'object') {
    return Object.fromEntries(
      Object.entries(template).map(([key, value]) => [fillText(key, values), fillJson(value, values)]),
    );
  }
  return template;
}
