export * from './app-process.js';
export * from './binaries.js';
export * from './child-process-handle.js';
export * from './free-port.js';
export * from './postgres-server.js';
export * from './process-usage.js';
export * from './redis-server.js';
