import { type Logger, parseConfig, sandboxReceiptRules, silentLogger } from '@maskline/core';
import { buildControlApi } from './control-api.js';
import { moFields, multipartMoFields, receiptFields } from './deliver-pdus.js';
import { Deliveries, SmscSimError } from './deliveries.js';
import { Faults } from './faults.js';
import { fileJournal, noJournal } from './journal.js';
import { messageIdGenerator } from './message-ids.js';
import { type SmscSimulatorOptions, simulatorOptionsSchema } from './options.js';
import { MESSAGE_STATE, type ReceiptPolicy, receiptPolicy } from './receipt-rules.js';
import {
  type AssembledMessage,
  assembleMessages,
  type RecordedMessage,
  RecordedMessages,
} from './recorded-messages.js';
import { SmscServer } from './smsc-server.js';
import type { SmscSimulator } from './smsc-simulator.js';
import { newCounters, resetCounters } from './stats.js';
import { handleSubmit, type SubmitContext } from './submit-handler.js';
import { decodeOctets } from './text-codec.js';
import { Timers } from './timers.js';

/** Start the SMPP server and, unless controlPort is null, the HTTP control API on 127.0.0.1. */
export async function startSmscSimulator(input: SmscSimulatorOptions = {}): Promise<SmscSimulator> {
  const { logger: given, ...rest } = input;
  const logger: Logger = given ?? silentLogger;
  const options = parseConfig(simulatorOptionsSchema, rest, 'smsc-sim');
  const counters = newCounters();
  const internalError = (error: unknown) => {
    counters.internalErrors += 1;
    logger.error({ err: error instanceof Error ? error.message : String(error) }, 'smsc-sim internal error');
  };
  const timers = new Timers(internalError);
  const faults = new Faults();
  const recorded = new RecordedMessages(options.recordLimit);
  // By default the sandbox's magic numbers end in their statuses (SANDBOX_NUMBERS); setRules replaces them.
  const defaultPolicy = receiptPolicy(sandboxReceiptRules());
  let policy: ReceiptPolicy = defaultPolicy;
  const journal = options.journalFile ? fileJournal(options.journalFile) : noJournal;
  const deliveries = new Deliveries(
    { receiverFor: (systemId, preferred) => server.receiverFor(systemId, preferred) },
    {
      retryMs: options.receiptRetryMs,
      maxAttempts: options.receiptMaxAttempts,
      pendingLimit: options.pendingReceiptLimit,
      moTimeoutMs: options.moResponseTimeoutMs,
    },
    counters,
    timers,
    logger,
    journal,
  );
  const submitContext: SubmitContext = {
    submitRespDelayMs: options.submitRespDelayMs,
    receiptParts: options.receiptParts,
    receiptDelayMs: options.receiptDelayMs,
    faults,
    recorded,
    journal,
    counters,
    timers,
    deliveries,
    nextMessageId: messageIdGenerator(options.messageIdFormat),
    policy: () => policy,
  };
  const server = new SmscServer({
    credentials: { systemId: options.systemId, password: options.password },
    maxBinds: options.maxBinds,
    counters,
    logger,
    bound: (session) => deliveries.bound(session),
    submit: (session, pdu) => handleSubmit(submitContext, session, pdu),
    closed: (session) => deliveries.closed(session),
    internalError,
  });
  const smppPort = await server.listen(options.host, options.smppPort);

  let closing: Promise<void> | undefined;
  let nextRef = Math.floor(Math.random() * 0x10000);
  const sim: SmscSimulator & { controlPort: number | null } = {
    host: options.host,
    smppPort,
    controlPort: null,
    injectMo: async (mo) => {
      if (!mo.split) return deliveries.mo(moFields(mo), mo.systemId);
      nextRef = (nextRef + 1) & 0xffff;
      const ref = mo.ref ?? nextRef;
      const parts = multipartMoFields({ ...mo, scheme: mo.split, ref });
      const skip = new Set(mo.skipParts ?? []);
      let worst = 0;
      for (const [index, fields] of parts.entries()) {
        if (skip.has(index + 1)) continue;
        const status = await deliveries.mo(fields, mo.systemId);
        if (worst === 0) worst = status;
      }
      return worst;
    },
    injectReceipt: ({ messageId, stat, err }) => {
      const message = recorded.list().find((m) => m.messageId === messageId);
      if (!message) throw new SmscSimError('unknown_message', 'no recorded submit has this message_id');
      const fields = receiptFields({
        messageId,
        submitSource: { addr: message.source, ton: message.sourceTon, npi: message.sourceNpi },
        submitDestination: {
          addr: message.destination,
          ton: message.destinationTon,
          npi: message.destinationNpi,
        },
        outcome: {
          stat,
          err: err ?? (stat === 'DELIVRD' ? '000' : '001'),
          messageState: MESSAGE_STATE[stat],
        },
        submittedAt: new Date(message.receivedAt),
        doneAt: new Date(),
      });
      deliveries.receipt(message.systemId, fields);
    },
    injectRaw: (bytes, systemId) => server.boundSession(systemId)?.writeRaw(bytes) ?? false,
    setRules: (rules) => {
      policy = receiptPolicy(rules);
    },
    setFaults: (settings) => faults.set(settings),
    stats: () => ({
      ...counters,
      connections: server.connections(),
      binds: server.binds(),
      receiptsPending: deliveries.pendingReceipts(),
      recordedMessages: recorded.count,
    }),
    messages: ((limit?: number, opts?: { assemble: true }) => {
      const list = recorded.list(limit);
      return opts?.assemble ? assembleMessages(list, decodeOctets) : list;
    }) as SmscSimulator['messages'] & ((limit?: number) => RecordedMessage[] | AssembledMessage[]),
    reset: () => {
      resetCounters(counters);
      policy = defaultPolicy;
      faults.set({});
      recorded.clear();
      deliveries.reset();
    },
    close: () => {
      closing ??= (async () => {
        // Fail waiting MO injections first: an open POST /mo would otherwise hold the HTTP close.
        deliveries.close();
        timers.clear();
        await control?.close();
        await server.close();
        timers.clear();
        deliveries.close();
      })();
      return closing;
    },
  };

  const control = options.controlPort === null ? null : buildControlApi(sim);
  if (control) {
    try {
      await control.listen({ host: '127.0.0.1', port: options.controlPort ?? 0 });
    } catch (error) {
      await server.close();
      throw error;
    }
    const address = control.server.address();
    sim.controlPort = typeof address === 'object' && address ? address.port : null;
  }
  logger.info({ smppPort, controlPort: sim.controlPort }, 'smsc-sim listening');
  return sim;
}
