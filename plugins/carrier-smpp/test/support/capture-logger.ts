import type { LogFields, Logger } from '@maskline/core';

export interface CapturedLog {
  level: string;
  fields: LogFields;
  message: string;
}

/** A logger that keeps every line (with its child bindings) for assertions. */
export function captureLogger(
  lines: CapturedLog[] = [],
  bindings: LogFields = {},
): Logger & { lines: CapturedLog[] } {
  const log = (level: string) => (fields: LogFields, message: string) =>
    lines.push({ level, fields: { ...bindings, ...fields }, message });
  return {
    lines,
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (more) => captureLogger(lines, { ...bindings, ...more }),
  };
}
