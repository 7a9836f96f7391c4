import {
  type CarrierCallbackRequest,
  type CarrierCallbackRoute,
  type CarrierEvent,
  type CarrierEventSink,
  type Clock,
  type Logger,
  MasklineError,
} from '@maskline/core';

/** What the host answers a carrier's callback. */
export interface CallbackReply {
  status: number;
  headers: Record<string, string>;
  /** Text (the route's answer) or an error body; absent for an empty answer. */
  body?: string;
}

export interface CallbackHandlerOptions {
  /** A signed time further than this from now is refused. */
  replayWindowMs: number;
  clock: Clock;
  logger: Logger;
  /** Told to the carrier on a 503 (its events could not be made durable). */
  retryAfterSeconds?: number;
}

/** One mounted route: the carrier it belongs to and where its events go. */
export interface MountedCallback {
  carrierId: string;
  route: CarrierCallbackRoute;
  events: CarrierEventSink;
}

/**
 * A carrier's callback from verification to answer, without HTTP: verify (401 when the
 * signature is refused or its time lies outside the replay window), parse (400), publish
 * every event and wait until each is durable (503 with Retry-After when one is not, so the
 * carrier sends it again), then the route's answer (default 204).
 *
 * Logs carry the carrier, the path, the outcome and error codes only: never a body, a
 * header value, a number or a signature.
 */
export class CallbackHandler {
  private readonly retryAfterSeconds: number;

  constructor(private readonly options: CallbackHandlerOptions) {
    this.retryAfterSeconds = options.retryAfterSeconds ?? 5;
  }

  async handle(mounted: MountedCallback, request: CarrierCallbackRequest): Promise<CallbackReply> {
    const where = { carrier: mounted.carrierId, path: request.path };
    const { logger } = this.options;
    let valid = false;
    let signedAt: Date | undefined;
    try {
      ({ valid, signedAt } = await mounted.route.verify(request));
    } catch (error) {
      logger.warn({ ...where, errorName: nameOf(error) }, 'carrier callback verify failed');
    }
    if (!valid) {
      logger.warn({ ...where, reason: 'signature' }, 'carrier callback refused');
      return errorReply(new MasklineError('carrier_callback_unverified'));
    }
    if (signedAt && !this.withinReplayWindow(signedAt)) {
      logger.warn({ ...where, reason: 'replay_window' }, 'carrier callback refused');
      return errorReply(
        new MasklineError('carrier_callback_unverified', {
          message: 'The callback was signed outside the replay window.',
        }),
      );
    }
    let events: CarrierEvent[];
    try {
      events = mounted.route.parse(request);
    } catch (error) {
      logger.warn({ ...where, reason: 'parse', errorName: nameOf(error) }, 'carrier callback refused');
      return errorReply(
        new MasklineError('invalid_request', { message: 'The callback could not be parsed.' }),
      );
    }
    const results = await Promise.allSettled(events.map((event) => mounted.events.publish(event)));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0) {
      logger.warn(
        { ...where, failed: failed.length, events: events.length, errorCode: codeOf(failed[0]?.reason) },
        'carrier callback not stored; the carrier is asked to retry',
      );
      const reply = errorReply(
        new MasklineError('service_unavailable', { retryAfterMs: this.retryAfterSeconds * 1000 }),
      );
      reply.headers['retry-after'] = String(this.retryAfterSeconds);
      return reply;
    }
    logger.debug({ ...where, events: events.length }, 'carrier callback stored');
    const answer = mounted.route.answer ?? { status: 204 };
    return {
      status: answer.status,
      headers: answer.contentType ? { 'content-type': answer.contentType } : {},
      ...(answer.body === undefined ? {} : { body: answer.body }),
    };
  }

  private withinReplayWindow(signedAt: Date): boolean {
    const skew = Math.abs(this.options.clock.now().getTime() - signedAt.getTime());
    return Number.isFinite(skew) && skew <= this.options.replayWindowMs;
  }
}

export function errorReply(error: MasklineError): CallbackReply {
  return {
    status: error.status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(error.toResponseBody()),
  };
}

/** An error's class name only: plugin messages may quote what they could not parse. */
function nameOf(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

/** A stable code (MasklineError, pg SQLSTATE, system code), never a message. */
function codeOf(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' ? code : nameOf(error);
}
