/** Figures shared by the throughput run's and the soak's results. */
export interface ProcessFigures {
  cpuSeconds: number;
  peakRssMiB: number;
  /** Highest heapUsed sampled (Maskline apps only). */
  peakHeapUsedMiB?: number;
}

/** Most messages seen at once (polled every 500 ms) between accepted and submitted, and submitted and final. */
export interface Backlog {
  /** Accepted (202) but not yet accepted by the SMSC: in the deliver queue or the worker's window. */
  peakNotSubmitted: number;
  /** Submitted but not yet final: waiting for their receipt. */
  peakAwaitingReceipt: number;
}
