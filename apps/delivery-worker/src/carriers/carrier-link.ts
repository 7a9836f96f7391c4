import type { CarrierHealth, CarrierPlugin, Logger } from '@maskline/core';
import { GuardedCarrier } from './guarded-carrier.js';

export interface CarrierLinkOptions {
  carrierId: string;
  /** A fresh plugin instance: a plugin whose start() failed is closed and replaced. */
  createPlugin(): CarrierPlugin;
  logger: Logger;
  submitTimeoutMs: number;
  /** Bound on one start() (and close()). */
  startTimeoutMs: number;
  /** Waits between failed starts: from retryMinMs, doubling, up to retryMaxMs. */
  retryMinMs: number;
  retryMaxMs: number;
  /** How often the plugin's health is read once it started. */
  healthCheckMs: number;
  /** Called whenever the carrier can take submits (after its start, and each time it is back). */
  onUp(carrier: GuardedCarrier): void;
  /**
   * Called when the plugin reports itself down; `standby` when it is down only because
   * other processes hold every one of its connection slots (the carrier itself is fine).
   */
  onDown(standby: boolean): void;
}

const NOT_CONNECTED: CarrierHealth = { status: 'down', detail: 'not connected' };

/**
 * Keeps one carrier connected without ever stopping the process: a carrier that cannot
 * start is retried with capped backoff while the other carriers work; once started, its
 * health is read every healthCheckMs and each change is logged and reported (onUp/onDown)
 * so the host stops taking the carrier's jobs while its link is down.
 */
export class CarrierLink {
  private carrier: GuardedCarrier | null = null;
  private starting: GuardedCarrier | null = null;
  /** The last reported status ('standby' apart from 'down'). */
  private status: CarrierHealth['status'] | 'standby' | null = null;
  private stopped = false;
  private wake: (() => void) | null = null;
  private healthTimer: NodeJS.Timeout | null = null;
  private retrying: Promise<void> | null = null;

  constructor(private readonly options: CarrierLinkOptions) {}

  health(): CarrierHealth {
    return this.carrier?.health() ?? NOT_CONNECTED;
  }

  /** The started plugin instance (null until the first start succeeded). */
  current(): GuardedCarrier | null {
    return this.carrier;
  }

  /**
   * Makes the first start attempt and resolves when it is over, started or not. A carrier
   * that did not start keeps being retried in the background until stop().
   */
  async start(): Promise<void> {
    if (await this.attempt(0)) return;
    this.retrying = this.retry();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    if (this.healthTimer) clearInterval(this.healthTimer);
    await this.retrying;
    await Promise.all([this.starting?.close(), this.carrier?.close()]);
  }

  private async retry(): Promise<void> {
    for (let failures = 1; !this.stopped; failures++) {
      const delay = Math.min(this.options.retryMinMs * 2 ** (failures - 1), this.options.retryMaxMs);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
      if (this.stopped || (await this.attempt(failures))) return;
    }
  }

  /** One start of a fresh plugin instance; true when it started. */
  private async attempt(failures: number): Promise<boolean> {
    const o = this.options;
    const carrier = new GuardedCarrier(o.carrierId, o.createPlugin(), o.submitTimeoutMs, o.startTimeoutMs);
    this.starting = carrier;
    try {
      await carrier.start();
    } catch (error) {
      this.starting = null;
      await carrier.close();
      this.report({ status: 'down', detail: 'start failed' }, { err: error, failures: failures + 1 });
      return false;
    }
    this.starting = null;
    if (this.stopped) {
      await carrier.close();
      return true;
    }
    this.carrier = carrier;
    this.report(carrier.health());
    this.healthTimer = setInterval(() => this.report(carrier.health()), o.healthCheckMs);
    this.healthTimer.unref();
    return true;
  }

  /** Logs a change of health and tells the host whether it can take jobs. */
  private report(health: CarrierHealth, extra: Record<string, unknown> = {}): void {
    const status = health.status === 'down' && health.standby ? 'standby' : health.status;
    if (status === this.status) return;
    const first = this.status === null;
    this.status = status;
    const fields = { carrier: this.options.carrierId, health, ...extra };
    if (status === 'standby') {
      this.options.logger.info(fields, 'carrier on standby: other processes hold its binds');
      this.options.onDown(true);
    } else if (health.status === 'down') {
      this.options.logger.warn(fields, first ? 'carrier down; retrying in the background' : 'carrier down');
      this.options.onDown(false);
    } else {
      this.options.logger.info(fields, 'carrier up');
      if (this.carrier) this.options.onUp(this.carrier);
    }
  }
}
