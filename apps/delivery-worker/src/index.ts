export * from './config.js';
export * from './container.js';
export * from './delivery/deliver-processor.js';
