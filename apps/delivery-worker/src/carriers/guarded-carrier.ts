import {
  type CarrierPlugin,
  MasklineError,
  type SubmitRequest,
  type SubmitResult,
  toMasklineError,
} from '@maskline/core';

/**
 * The host's guard around a plugin: a submit that throws something other than a
 * MasklineError becomes plugin_failure, and one that hangs past the timeout is abandoned
 * as carrier_timeout; start() and close() are bounded too. A plugin can never crash or
 * stall the worker.
 */
export class GuardedCarrier {
  constructor(
    readonly carrierId: string,
    private readonly plugin: CarrierPlugin,
    private readonly timeoutMs: number,
    /** Bound on start() and close(). */
    private readonly lifecycleTimeoutMs = 30_000,
  ) {}

  /** Connects the plugin; a failure (or no answer in time) keeps the plugin's code. */
  async start(): Promise<void> {
    try {
      await withTimeout(this.plugin.start(), this.lifecycleTimeoutMs, () =>
        Promise.reject(
          new MasklineError('carrier_unavailable', { message: 'The carrier did not start in time.' }),
        ),
      );
    } catch (error) {
      throw toMasklineError(error, 'carrier_unavailable');
    }
  }

  async submit(request: SubmitRequest): Promise<SubmitResult> {
    const controller = new AbortController();
    try {
      const result = await withTimeout(
        this.plugin.submit(request, { signal: controller.signal }),
        this.timeoutMs,
        () => {
          controller.abort();
          return Promise.reject(new MasklineError('carrier_timeout'));
        },
      );
      if (!result || typeof result.carrierMessageId !== 'string' || result.carrierMessageId.length === 0) {
        throw new MasklineError('plugin_failure', { message: 'The plugin returned no carrier message id.' });
      }
      return result;
    } catch (error) {
      throw toMasklineError(error, 'plugin_failure');
    }
  }

  /** The plugin's inFlightLimit, if it declares a usable one. */
  get inFlightLimit(): number | undefined {
    const limit = this.plugin.inFlightLimit;
    return typeof limit === 'number' && Number.isInteger(limit) && limit > 0 ? limit : undefined;
  }

  health() {
    try {
      return this.plugin.health();
    } catch {
      return { status: 'down' as const, detail: 'health check threw' };
    }
  }

  /** Disconnects; never throws, and gives up waiting after the lifecycle timeout. */
  async close(): Promise<void> {
    await withTimeout(this.plugin.close(), this.lifecycleTimeoutMs, () => Promise.resolve()).catch(() => {});
  }
}

/** `work`, or what `onTimeout` gives if it has not settled within `ms`. */
async function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve, reject) => {
    timer = setTimeout(() => onTimeout().then(resolve, reject), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
