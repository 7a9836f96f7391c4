export * from './config.js';
export * from './container.js';
export * from './receipts/receipt-processor.js';
