import type {
  CarrierHealth,
  CarrierPlugin,
  SubmitOptions,
  SubmitRequest,
  SubmitResult,
} from '@maskline/plugin-sdk';
import { MasklineError } from '@maskline/plugin-sdk';

/**
 * What the HTTP plugins share: nothing to connect (each send is one request on the host's
 * keep-alive client), health from the last sends (degraded while the provider cannot be
 * reached), and close() waiting for the sends in flight.
 */
export abstract class HttpCarrier implements CarrierPlugin {
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;
  private unreachable = false;

  async start(): Promise<void> {
    this.closed = false;
  }

  async submit(request: SubmitRequest, options?: SubmitOptions): Promise<SubmitResult> {
    if (this.closed) throw new MasklineError('carrier_unavailable', { message: 'The carrier is closing.' });
    const sending = this.send(request, options);
    this.inFlight.add(sending);
    try {
      const result = await sending;
      this.unreachable = false;
      return result;
    } catch (error) {
      this.unreachable = error instanceof MasklineError && error.code === 'carrier_unavailable';
      throw error;
    } finally {
      this.inFlight.delete(sending);
    }
  }

  health(): CarrierHealth {
    if (this.closed) return { status: 'down', detail: 'closed' };
    return this.unreachable
      ? { status: 'degraded', detail: 'the last send could not reach the provider' }
      : { status: 'up' };
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
  }

  protected abstract send(request: SubmitRequest, options?: SubmitOptions): Promise<SubmitResult>;
}
