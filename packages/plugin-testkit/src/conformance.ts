import {
  type CarrierPlugin,
  type CarrierPluginDefinition,
  MasklineError,
  type PluginContext,
  type ReceiptOutcome,
  type SubmitRequest,
  systemClock,
} from '@maskline/core';
import { createPluginHttpClient } from '@maskline/plugin-sdk';
import { trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { CallbackHost, unauthenticated } from './callback-host.js';
import type { ConformanceControl, ConformanceTarget, InboundMessage, SubmitFailureKind } from './control.js';
import { type LogLine, leakNeedles, linesLeaking, recordingLogger } from './recording-logger.js';
import { RecordingSink } from './recording-sink.js';
import { eventually, sleep, tracked, within } from './wait.js';

export interface ConformanceOptions<TConfig> {
  definition: CarrierPluginDefinition<TConfig>;
  /** A fresh peer and the carrier config that points at it, for each check. */
  makeTarget(): Promise<ConformanceTarget>;
  /** A destination and sender the peer accepts (defaults: +447700900123, +15550001111). */
  to?: string;
  from?: string;
  /** How long to wait for an event to reach the sink (default 2000 ms). */
  eventTimeoutMs?: number;
  /** Bounds the host puts on start() and close() (defaults 5000 ms: tighter than a real host's). */
  startTimeoutMs?: number;
  closeTimeoutMs?: number;
  /** How soon after its AbortSignal fires a stalled submit must reject (default 250 ms). */
  abortGraceMs?: number;
}

const EXPECTED_CODES: Readonly<Record<SubmitFailureKind, readonly string[]>> = {
  temporary: ['carrier_error', 'carrier_unavailable', 'carrier_timeout'],
  permanent: ['carrier_rejected', 'carrier_invalid_destination'],
  throttle: ['carrier_throttled'],
};

/** Words unlikely anywhere else, so a leak is unambiguous. */
const BODY = 'Conformance body zebra 7731';
const LONG_BODY = `${'Conformance long body quokka 5521 '.repeat(12)}end`;
const INBOUND: InboundMessage = {
  from: '+447700900555',
  to: '+15550002222',
  body: 'Inbound body walrus 4417',
};
const LONG_INBOUND = `${'Inbound long body narwhal 8830 '.repeat(12)}end`;

interface Live {
  plugin: CarrierPlugin;
  sink: RecordingSink;
  control: ConformanceControl;
  host: CallbackHost;
  hasCallbacks: boolean;
  close(): Promise<void>;
}

/**
 * Register the conformance checks of a carrier plugin as vitest describe/it blocks. Call it
 * at the top level of one of the plugin's own test files. Each check gets a fresh peer
 * (makeTarget) and a fresh, started plugin; the capabilities decide which checks run.
 */
export function runCarrierConformance<TConfig>(options: ConformanceOptions<TConfig>): void {
  const { definition } = options;
  const caps = definition.capabilities;
  const eventMs = options.eventTimeoutMs ?? 2000;
  const startMs = options.startTimeoutMs ?? 5000;
  const closeMs = options.closeTimeoutMs ?? 5000;
  const abortGraceMs = options.abortGraceMs ?? 250;
  const to = options.to ?? '+447700900123';
  const from = options.from ?? '+15550001111';
  const lines: LogLine[] = [];
  const errorTexts: string[] = [];
  let live: Live | undefined;
  let sequence = 0;

  const request = (overrides: Partial<SubmitRequest> = {}): SubmitRequest => ({
    messageId: `msg_conformance_${++sequence}`,
    tenantId: 'tenant_conformance',
    to,
    from,
    body: BODY,
    requestReceipt: true,
    ...overrides,
  });

  async function open(): Promise<Live> {
    const target = await options.makeTarget();
    const config = definition.configSchema.parse(target.config);
    const secrets = target.secrets ?? {};
    const logger = recordingLogger(lines);
    const sink = new RecordingSink();
    const ctx: PluginContext = {
      carrierId: 'conformance',
      logger,
      tracer: trace.getTracer('plugin-testkit'),
      clock: systemClock,
      events: sink,
      secrets,
      http: createPluginHttpClient(),
      ...(target.callbackUrl === undefined ? {} : { callbackUrl: target.callbackUrl }),
    };
    const routes =
      definition.callbacks?.(
        {
          carrierId: 'conformance',
          logger,
          secrets,
          ...(target.callbackUrl === undefined ? {} : { callbackUrl: target.callbackUrl }),
        },
        config,
      ) ?? [];
    const plugin = definition.create(ctx, config);
    let closed = false;
    live = {
      plugin,
      sink,
      control: target.control,
      host: new CallbackHost(routes, sink),
      hasCallbacks: routes.length > 0,
      close: async () => {
        if (closed) return;
        closed = true;
        await plugin.close().catch(() => {});
        await target.close?.();
      },
    };
    await within(plugin.start(), startMs, 'start()');
    return live;
  }

  async function submitted(l: Live, overrides: Partial<SubmitRequest> = {}) {
    return l.plugin.submit(request(overrides));
  }

  async function sendReceipt(l: Live, carrierMessageId: string, outcome: ReceiptOutcome): Promise<void> {
    if (l.control.sendReceipt) return l.control.sendReceipt(carrierMessageId, outcome);
    if (l.control.deliverCallback && l.hasCallbacks)
      return l.host.deliver(await l.control.deliverCallback({ type: 'receipt', carrierMessageId, outcome }));
    throw new Error('conformance: the control needs sendReceipt, or deliverCallback with callbacks() routes');
  }

  async function sendInbound(l: Live, message: InboundMessage): Promise<void> {
    if (l.control.sendInbound) return l.control.sendInbound(message);
    if (l.control.deliverCallback && l.hasCallbacks)
      return l.host.deliver(await l.control.deliverCallback({ type: 'inbound', ...message }));
    throw new Error('conformance: the control needs sendInbound, or deliverCallback with callbacks() routes');
  }

  async function failure(promise: Promise<unknown>): Promise<MasklineError> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error, 'the submit rejects with a MasklineError').toBeInstanceOf(MasklineError);
    const masklineError = error as MasklineError;
    errorTexts.push(JSON.stringify({ message: masklineError.message, details: masklineError.details }));
    return masklineError;
  }

  // A check that does not apply to the plugin is not registered at all (rather than skipped).
  describe(`carrier plugin "${definition.id}" conformance`, () => {
    afterEach(async () => {
      await live?.close();
      live = undefined;
    });

    it('declares itself fully and parses the target config', async () => {
      expect(definition.id).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(definition.version).toMatch(/^\d+\.\d+\.\d+/);
      const target = await options.makeTarget();
      try {
        expect(definition.configSchema.safeParse(target.config).success).toBe(true);
        for (const [name, spec] of Object.entries(definition.secrets ?? {})) {
          if (!spec.optional)
            expect(target.secrets?.[name], `secret "${name}" supplied`).toBeTypeOf('string');
        }
      } finally {
        await target.close?.();
      }
    });

    describe('lifecycle', () => {
      it('reports up after start() and not up after close()', async () => {
        const l = await open();
        expect(l.plugin.health().status).toBe('up');
        await within(l.plugin.close(), closeMs, 'close()');
        expect(l.plugin.health().status).not.toBe('up');
      });

      it('close() settles the submits in flight and refuses new ones', async () => {
        const l = await open();
        await l.control.stallSubmits(true);
        const inFlight = tracked(l.plugin.submit(request()));
        inFlight.promise.catch(() => {});
        await sleep(30);
        await within(l.plugin.close(), closeMs, 'close() with a submit in flight');
        await sleep(20);
        expect(inFlight.settled(), 'the submit in flight settled when close() resolved').toBe(true);
        const refused = await failure(l.plugin.submit(request()));
        expect(refused.code).toMatch(/^carrier_/);
      });

      it('a stalled submit rejects soon after its AbortSignal fires', async () => {
        const l = await open();
        await l.control.stallSubmits(true);
        const abort = new AbortController();
        const stalled = tracked(l.plugin.submit(request(), { signal: abort.signal }));
        stalled.promise.catch(() => {});
        await sleep(50);
        expect(stalled.settled(), 'the peer never answers: the submit is still waiting').toBe(false);
        abort.abort();
        await eventually(stalled.settled, abortGraceMs, 'the aborted submit settling');
        await expect(stalled.promise).rejects.toBeDefined();
        await l.control.stallSubmits(false);
      });
    });

    describe('submit', () => {
      it('returns the carrier id of the message', async () => {
        const l = await open();
        const result = await submitted(l);
        expect(result.carrierMessageId).toMatch(/\S/);
        expect(result.partIds[0]).toBe(result.carrierMessageId);
        expect(result.segments).toBe(1);
      });

      if (caps.concatenation)
        it('sends a long body as one message with its part ids', async () => {
          const l = await open();
          const result = await submitted(l, { body: LONG_BODY });
          expect(result.segments).toBeGreaterThan(1);
          expect(result.partIds[0]).toBe(result.carrierMessageId);
          expect([1, result.segments]).toContain(result.partIds.length);
          expect(new Set(result.partIds).size).toBe(result.partIds.length);
        });

      for (const kind of ['temporary', 'permanent', 'throttle'] as const) {
        it(`maps a ${kind} refusal to ${EXPECTED_CODES[kind].join(' / ')}`, async () => {
          const l = await open();
          await l.control.failNextSubmit(kind);
          const error = await failure(submitted(l));
          expect(EXPECTED_CODES[kind]).toContain(error.code);
          const next = await submitted(l);
          expect(next.carrierMessageId, 'the fault is gone: the next submit succeeds').toMatch(/\S/);
        });
      }
    });

    if (caps.deliveryReceipts)
      describe('delivery receipts', () => {
        it('reports a receipt with the carrier id the submit returned', async () => {
          const l = await open();
          const { carrierMessageId } = await submitted(l);
          await sendReceipt(l, carrierMessageId, 'undeliverable');
          await eventually(
            () => l.sink.receipts(carrierMessageId).some((r) => r.outcome === 'undeliverable'),
            eventMs,
            'the receipt reaching the sink',
          );
          const receipt = l.sink.receipts(carrierMessageId).find((r) => r.outcome === 'undeliverable')!;
          expect(receipt.carrierStatus).toMatch(/\S/);
        });

        it('reports a receipt that arrives before the submit settles', async () => {
          const l = await open();
          if (l.control.receiptBeforeAnswer) {
            await l.control.receiptBeforeAnswer();
            const { carrierMessageId } = await submitted(l);
            await eventually(
              () => l.sink.receipts(carrierMessageId).length > 0,
              eventMs,
              'the early receipt reaching the sink',
            );
            return;
          }
          // No way to overtake the answer: a receipt for an id no submit has returned is
          // reported as it is (the host correlates; the plugin keeps no state for it).
          const early = `conformance-early-${++sequence}`;
          await sendReceipt(l, early, 'delivered');
          await eventually(
            () => l.sink.receipts(early).length > 0,
            eventMs,
            'the early receipt reaching the sink',
          );
        });

        it('reports a repeated receipt again, with the same id (the host dedupes)', async () => {
          const l = await open();
          const { carrierMessageId } = await submitted(l);
          await sendReceipt(l, carrierMessageId, 'undeliverable');
          await sendReceipt(l, carrierMessageId, 'undeliverable');
          const repeats = () =>
            l.sink.receipts(carrierMessageId).filter((r) => r.outcome === 'undeliverable').length;
          await eventually(() => repeats() === 2, eventMs, 'both copies of the receipt reaching the sink');
        });

        // Callback carriers: the host publishes what parse() returns and answers the carrier
        // non-2xx itself when it cannot; nothing for the plugin to get wrong there.
        const pushed = definition.callbacks === undefined;
        if (pushed)
          it('does not acknowledge a receipt the host could not persist: it comes again', async () => {
            const l = await open();
            if (!l.control.sendReceipt) throw new Error('conformance: the control needs sendReceipt');
            const { carrierMessageId } = await submitted(l);
            const unhandled: unknown[] = [];
            const onUnhandled = (reason: unknown) => unhandled.push(reason);
            process.on('unhandledRejection', onUnhandled);
            try {
              l.sink.refuseNext(1);
              await l.control.sendReceipt!(carrierMessageId, 'undeliverable');
              await eventually(
                () => l.sink.receipts(carrierMessageId).some((r) => r.outcome === 'undeliverable'),
                eventMs,
                'the refused receipt being delivered again and accepted',
              );
              const tries = l.sink.attempts.filter(
                (e) =>
                  e.type === 'receipt' &&
                  e.carrierMessageId === carrierMessageId &&
                  e.outcome === 'undeliverable',
              );
              expect(tries.length).toBeGreaterThanOrEqual(2);
              expect(l.plugin.health().status, 'a refused publish does not break the plugin').toBe('up');
              expect(unhandled).toEqual([]);
            } finally {
              process.off('unhandledRejection', onUnhandled);
            }
          });
      });

    if (caps.inbound)
      describe('inbound SMS', () => {
        it('reports an inbound SMS with its numbers and text', async () => {
          const l = await open();
          await sendInbound(l, INBOUND);
          await eventually(() => l.sink.inbound().length > 0, eventMs, 'the inbound SMS reaching the sink');
          expect(l.sink.inbound()[0]).toMatchObject({
            from: INBOUND.from,
            to: INBOUND.to,
            body: INBOUND.body,
          });
          expect(Number.isNaN(Date.parse(l.sink.inbound()[0]!.receivedAt))).toBe(false);
        });

        if (caps.concatenation)
          it('reports a multipart inbound SMS once, joined', async () => {
            const l = await open();
            await sendInbound(l, { ...INBOUND, body: LONG_INBOUND, parts: 3 });
            await eventually(
              () => l.sink.inbound().length > 0,
              eventMs,
              'the joined inbound SMS reaching the sink',
            );
            await sleep(50);
            expect(l.sink.inbound().map((e) => e.body)).toEqual([LONG_INBOUND]);
          });
      });

    if (definition.callbacks)
      it('refuses a callback that is not authenticated', async () => {
        const l = await open();
        if (!l.control.deliverCallback) throw new Error('conformance: the control needs deliverCallback');
        const requests = await l.control.deliverCallback!({
          type: 'receipt',
          carrierMessageId: 'conformance-unauthenticated',
          outcome: 'delivered',
        });
        for (const request of Array.isArray(requests) ? requests : [requests]) {
          const verdict = await l.host.route(request).verify(unauthenticated(request));
          expect(verdict.valid).toBe(false);
        }
      });

    it('never logs or puts in an error a destination, a sender handset or a body', () => {
      expect(lines.length, 'the checks above ran and the plugin logged through ctx.logger').toBeGreaterThan(
        0,
      );
      const secrets = [
        to,
        BODY,
        LONG_BODY.slice(0, 30),
        INBOUND.from,
        INBOUND.body,
        LONG_INBOUND.slice(0, 30),
      ];
      expect(linesLeaking(lines, secrets)).toEqual([]);
      expect(
        errorTexts.filter((text) => leakNeedles(secrets).some((needle) => text.includes(needle))),
      ).toEqual([]);
    });
  });
}
