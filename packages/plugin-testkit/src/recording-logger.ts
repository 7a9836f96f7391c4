import type { LogFields, Logger } from '@maskline/core';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  /** The line's fields with its child bindings. */
  fields: LogFields;
  message: string;
}

/** A logger that keeps every line, at every level, with its child bindings. */
export function recordingLogger(
  lines: LogLine[] = [],
  bindings: LogFields = {},
): Logger & { lines: LogLine[] } {
  const log = (level: LogLine['level']) => (fields: LogFields, message: string) => {
    lines.push({ level, fields: { ...bindings, ...fields }, message });
  };
  return {
    lines,
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (more) => recordingLogger(lines, { ...bindings, ...more }),
  };
}

/** The lines (as JSON) that contain any of the values: a phone number with or without its "+". */
export function linesLeaking(lines: readonly LogLine[], values: readonly string[]): string[] {
  const needles = leakNeedles(values);
  return lines
    .map((line) => JSON.stringify(line, jsonSafe))
    .filter((text) => needles.some((needle) => text.includes(needle)));
}

/** What to search for: each value, and a phone number also without its "+". */
export function leakNeedles(values: readonly string[]): string[] {
  return values.flatMap((value) => (value.startsWith('+') ? [value, value.slice(1)] : [value]));
}

function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (Buffer.isBuffer(value)) return value.toString('latin1');
  return value;
}
