export * from './base-container.js';
export * from './carrier-secrets.js';
export * from './carriers-file.js';
export * from './common-config.js';
