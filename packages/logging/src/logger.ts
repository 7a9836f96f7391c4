import type { Logger } from '@maskline/core';
import pino, { type DestinationStream } from 'pino';
import { maskPhoneLike, REDACTED_PATHS, REDACTION_CENSOR, scrubValue } from './redaction.js';

export interface LoggerOptions {
  service: string;
  level?: string;
  /** Where lines go (default stdout); tests pass a stream to scan the output. */
  destination?: DestinationStream;
}

export type AppLogger = Logger & pino.Logger;

/** A pino logger whose redaction cannot be switched off. */
export function createLogger(options: LoggerOptions): AppLogger {
  const logger = pino(
    {
      name: options.service,
      level: options.level ?? 'info',
      base: { service: options.service, pid: process.pid },
      redact: { paths: REDACTED_PATHS, censor: REDACTION_CENSOR },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (fields) => scrubValue(fields) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((a) => (typeof a === 'string' ? maskPhoneLike(a) : a));
          method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    },
    options.destination,
  );
  return logger as AppLogger;
}
