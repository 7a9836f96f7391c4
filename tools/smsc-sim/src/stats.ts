/** Running counters; stats() adds the gauges (connections, binds, pending receipts). */
export interface Counters {
  /** Binds refused (bad credentials, already bound, over maxBinds). */
  bindsRefused: number;
  /** Of those, binds refused because their system_id already held maxBinds. */
  bindsOverLimit: number;
  /** Most binds (all system_ids) held at once since start or reset. */
  peakBinds: number;
  /** submit_sm received on a bound transmitting session. */
  submits: number;
  /** Submits answered ESME_ROK (and recorded). */
  submitsAccepted: number;
  throttled: number;
  queueFull: number;
  /** Submits answered with another error (rejectSubmits, bad destination). */
  rejected: number;
  responsesDropped: number;
  /** Connections closed by the disconnectAfter fault. */
  disconnects: number;
  /** Receipt deliver_sm PDUs written, redeliveries included. */
  receiptsSent: number;
  /** Receipts answered ESME_ROK. */
  receiptsAcknowledged: number;
  /** Receipt attempts answered with an error (they are redelivered). */
  receiptsRefused: number;
  /** Receipts given up: too many refusals, or the pending queue was full. */
  receiptsDiscarded: number;
  moSent: number;
  /** MO messages answered ESME_ROK. */
  moAcknowledged: number;
  /** Requests answered with generic_nack (unknown or unsupported command). */
  genericNacks: number;
  /** Connections dropped for bytes that are not SMPP. */
  protocolErrors: number;
  /** Bugs: an exception in the simulator's own handlers (logged, never fatal). */
  internalErrors: number;
}

export interface SimulatorStats extends Counters {
  /** Open TCP connections. */
  connections: number;
  /** Sessions bound now, by bind type. */
  binds: { transceiver: number; transmitter: number; receiver: number };
  /** Receipts waiting for a receiving bind of their system_id. */
  receiptsPending: number;
  /** Messages in the record ring. */
  recordedMessages: number;
}

export function newCounters(): Counters {
  return {
    bindsRefused: 0,
    bindsOverLimit: 0,
    peakBinds: 0,
    submits: 0,
    submitsAccepted: 0,
    throttled: 0,
    queueFull: 0,
    rejected: 0,
    responsesDropped: 0,
    disconnects: 0,
    receiptsSent: 0,
    receiptsAcknowledged: 0,
    receiptsRefused: 0,
    receiptsDiscarded: 0,
    moSent: 0,
    moAcknowledged: 0,
    genericNacks: 0,
    protocolErrors: 0,
    internalErrors: 0,
  };
}

export function resetCounters(counters: Counters): void {
  Object.assign(counters, newCounters());
}
