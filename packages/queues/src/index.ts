export * from './job-options.js';
export * from './job-schemas.js';
export * from './producers.js';
export * from './queue-names.js';
export * from './redis-connection.js';
export * from './redis-loss-watch.js';
export * from './retry-mapping.js';
export * from './worker-options.js';
