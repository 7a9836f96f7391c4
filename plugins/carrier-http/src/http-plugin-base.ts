import { InFlight } from '@maskline/core';
import type {
  CarrierHealth,
  CarrierPlugin,
  PluginContext,
  SubmitOptions,
  SubmitRequest,
  SubmitResult,
} from '@maskline/plugin-sdk';
import { MasklineError } from '@maskline/plugin-sdk';

/** How long close() lets the sends in flight finish before aborting them. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 2_000;

/** Sends in a row that could not connect before the carrier reports itself down. */
export const DOWN_AFTER_UNREACHABLE = 3;
/** How long it stays down after the last of them; then one send probes the provider. */
export const PROBE_AFTER_MS = 5_000;

/**
 * What the HTTP plugins share: nothing to connect (each send is one request on the host's
 * keep-alive client), health from the last sends, and close() waiting for the sends in flight, aborting those still unanswered
 * after `drainTimeoutMs` (they reject `carrier_timeout`: the host retries them).
 */
export abstract class HttpCarrier implements CarrierPlugin {
  private readonly inFlight = new InFlight();
  private closing = new AbortController();
  private closed = false;
  /** Sends in a row that could not connect, and when the last one failed. */
  private unreachable = 0;
  private lastUnreachableAt = 0;

  constructor(
    protected readonly ctx: PluginContext,
    private readonly drainTimeoutMs: number = DEFAULT_DRAIN_TIMEOUT_MS,
  ) {}

  async start(): Promise<void> {
    this.closed = false;
    if (this.closing.signal.aborted) this.closing = new AbortController();
  }

  async submit(request: SubmitRequest, options?: SubmitOptions): Promise<SubmitResult> {
    if (this.closed) throw new MasklineError('carrier_unavailable', { message: 'The carrier is closing.' });
    const signal = options?.signal
      ? AbortSignal.any([options.signal, this.closing.signal])
      : this.closing.signal;
    const sending = this.inFlight.track(this.send(request, { ...options, signal }));
    try {
      const result = await sending;
      this.unreachable = 0;
      this.ctx.logger.debug(
        {
          messageId: request.messageId,
          carrierMessageId: result.carrierMessageId,
          segments: result.segments,
        },
        'message accepted by the provider',
      );
      return result;
    } catch (error) {
      if (error instanceof MasklineError && error.code === 'carrier_unavailable') {
        this.unreachable += 1;
        this.lastUnreachableAt = this.ctx.clock.now().getTime();
      } else {
        this.unreachable = 0;
      }
      // The code and the answer's status only: a provider's text may quote the number or body.
      this.ctx.logger.warn(
        {
          messageId: request.messageId,
          code: error instanceof MasklineError ? error.code : 'unexpected',
          ...(error instanceof MasklineError && typeof error.details?.httpStatus === 'number'
            ? { httpStatus: error.details.httpStatus }
            : {}),
        },
        'send refused or failed',
      );
      throw error;
    }
  }

  /**
   * Up until a send cannot reach the provider (degraded); down after
   * DOWN_AFTER_UNREACHABLE such sends in a row, so the host stops sending here and fails
   * queued messages over (docs/routing.md#failover). Down lasts PROBE_AFTER_MS from the
   * last failure; then degraded again, so the host's next send probes the provider: a
   * success is up, another failure down for the next period (a circuit breaker).
   */
  health(): CarrierHealth {
    if (this.closed) return { status: 'down', detail: 'closed' };
    if (this.unreachable === 0) return { status: 'up' };
    const sinceLast = this.ctx.clock.now().getTime() - this.lastUnreachableAt;
    if (this.unreachable >= DOWN_AFTER_UNREACHABLE && sinceLast < PROBE_AFTER_MS) {
      return { status: 'down', detail: 'the provider could not be reached' };
    }
    return { status: 'degraded', detail: 'the last send could not reach the provider' };
  }

  async close(): Promise<void> {
    this.closed = true;
    const drained = this.inFlight.settled();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), this.drainTimeoutMs);
    });
    try {
      if ((await Promise.race([drained, late])) === 'late') {
        this.ctx.logger.warn({ inFlight: this.inFlight.size }, 'aborting sends still unanswered at close');
        this.closing.abort();
        await drained;
      }
    } finally {
      clearTimeout(timer);
    }
  }

  protected abstract send(request: SubmitRequest, options?: SubmitOptions): Promise<SubmitResult>;
}
