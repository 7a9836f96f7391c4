export * from './base-container.js';
export * from './common-config.js';
