export * from './base-container.js';
export * from './carrier-secrets.js';
export * from './carriers-file.js';
export * from './common-config.js';
export * from './health/health-server.js';
export * from './health/readiness.js';
export * from './lifecycle/graceful-stop.js';
export * from './metrics/queue-metrics.js';
