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

/**
 * Serialize an error like pino does (type, message and stack with causes, own fields),
 * then mask phone-like values: an error's message is the likeliest place for a number
 * to slip into a log (a driver or carrier quoting its input).
 */
function scrubbedError(error: unknown): unknown {
  return scrubValue(pino.stdSerializers.err(error as Error));
}

/** The error pino takes the line's message from when none is given. */
function errorBehindMissingMessage(args: unknown[]): Error | undefined {
  if (args.length !== 1) return undefined;
  const [first] = args;
  if (first instanceof Error) return first;
  if (typeof first === 'object' && first !== null && !('msg' in first) && 'err' in first) {
    return first.err instanceof Error ? first.err : undefined;
  }
  return undefined;
}

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
          const scrubbed: unknown[] = args.map((a) => (typeof a === 'string' ? maskPhoneLike(a) : a));
          // pino would copy the error's raw message into the line's message.
          const error = errorBehindMissingMessage(args);
          if (error) scrubbed.push(maskPhoneLike(error.message));
          method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
      serializers: { err: scrubbedError, error: scrubbedError },
    },
    options.destination,
  );
  // pino runs neither the log formatter nor the hooks over child bindings, so scrub them
  // here. Children are created with Object.create(parent), so every descendant inherits
  // this override.
  const createChild = logger.child;
  logger.child = function scrubbedChild(this: pino.Logger, bindings, childOptions) {
    return createChild.call(this, scrubValue(bindings) as pino.Bindings, childOptions);
  } as typeof logger.child;
  return logger as AppLogger;
}
