export { buildControlApi } from './control-api.js';
export { SmscSimError, type SmscSimErrorCode } from './deliveries.js';
export type { FaultSettings } from './faults.js';
export type { MessageIdFormat } from './message-ids.js';
export type { SmscSimulatorOptions } from './options.js';
export {
  decideReceipt,
  type ReceiptOutcome,
  type ReceiptRule,
  type ReceiptStat,
  receiptPolicy,
} from './receipt-rules.js';
export type { AssembledMessage, MessagePartInfo, RecordedMessage } from './recorded-messages.js';
export { startSmscSimulator } from './simulator.js';
export type { InjectedReceipt, MoMessage, SmscSimulator } from './smsc-simulator.js';
export type { SimulatorStats } from './stats.js';
export type { MultipartScheme } from './text-codec.js';
