export * from './config/masking-config.js';
export * from './expiry/expiry-queue.js';
export * from './pool/number-import.js';
export * from './relay/relay-router.js';
export * from './relay/relay-service.js';
export * from './sessions/masking-service.js';
export * from './store/masking-store.js';
export * from './types.js';
