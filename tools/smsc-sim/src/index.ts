export type { FaultSettings } from './faults.js';
export type { SimulatorOptionsInput } from './options.js';
export type { ReceiptRule, ReceiptStat } from './receipt-rules.js';
export type { RecordedMessage } from './recorded-messages.js';
export { startSmscSimulator } from './simulator.js';
export type { SimulatorStats } from './smsc-server.js';
export type { SmscSimulator } from './smsc-simulator.js';
