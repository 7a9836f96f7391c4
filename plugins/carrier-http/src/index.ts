export { type FailureClass, retryAfterMs } from './failure-class.js';
export * from './http-json/index.js';
export { resolvePointer } from './json-pointer.js';
export * from './twilio/index.js';
