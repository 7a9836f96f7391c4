/**
 * The carrier plugin conformance testkit. A plugin's own vitest file calls
 * runCarrierConformance with its definition and a control for its peer (see docs/plugins.md).
 */
export { CallbackHost, unauthenticated } from './callback-host.js';
export { type ConformanceOptions, runCarrierConformance } from './conformance.js';
export type {
  CallbackSubject,
  ConformanceControl,
  ConformanceTarget,
  InboundMessage,
  SubmitFailureKind,
} from './control.js';
export { type LogLine, leakNeedles, linesLeaking, recordingLogger } from './recording-logger.js';
export { RecordingSink } from './recording-sink.js';
export { eventually, sleep } from './wait.js';
