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
 * as carrier_timeout. A plugin can never crash or stall the worker.
 */
export class GuardedCarrier {
  constructor(
    readonly carrierId: string,
    private readonly plugin: CarrierPlugin,
    private readonly timeoutMs: number,
  ) {}

  /** Connects the plugin; a failure names the carrier and keeps the plugin's code. */
  async start(): Promise<void> {
    try {
      await this.plugin.start();
    } catch (error) {
      throw toMasklineError(error, 'carrier_unavailable');
    }
  }

  async submit(request: SubmitRequest): Promise<SubmitResult> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new MasklineError('carrier_timeout'));
      }, this.timeoutMs);
    });
    try {
      const result = await Promise.race([
        this.plugin.submit(request, { signal: controller.signal }),
        timeout,
      ]);
      if (!result || typeof result.carrierMessageId !== 'string' || result.carrierMessageId.length === 0) {
        throw new MasklineError('plugin_failure', { message: 'The plugin returned no carrier message id.' });
      }
      return result;
    } catch (error) {
      throw toMasklineError(error, 'plugin_failure');
    } finally {
      clearTimeout(timer);
    }
  }

  health() {
    try {
      return this.plugin.health();
    } catch {
      return { status: 'down' as const, detail: 'health check threw' };
    }
  }

  async close(): Promise<void> {
    await this.plugin.close().catch(() => {});
  }
}
