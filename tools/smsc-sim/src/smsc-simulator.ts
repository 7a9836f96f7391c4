import type { FaultSettings } from './faults.js';
import type { ReceiptRule } from './receipt-rules.js';
import type { RecordedMessage } from './recorded-messages.js';
import type { SimulatorStats } from './smsc-server.js';

/** A running simulator: what tests, the control API and the stack launcher use. */
export interface SmscSimulator {
  host: string;
  smppPort: number;
  /** null when started without a control API. */
  controlPort: number | null;
  injectMo(mo: { from: string; to: string; text: string; systemId?: string }): Promise<number>;
  setRules(rules: ReceiptRule[]): void;
  setFaults(faults: FaultSettings): void;
  stats(): SimulatorStats;
  messages(limit?: number): RecordedMessage[];
  reset(): void;
  close(): Promise<void>;
}
