export { type AppName, AppProcess } from '@maskline/local-infra';
export * from './otlp-collector.js';
export * from './seed.js';
export * from './test-database.js';
