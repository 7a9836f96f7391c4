export { type AppName, AppProcess, freePort } from '@maskline/local-infra';
export * from './cuttable-link.js';
export * from './otlp-collector.js';
export * from './polling.js';
export type {} from './provided-context.js';
export * from './query-plans.js';
export * from './seed.js';
export * from './test-database.js';
export * from './webhook-receiver.js';
