export * from './launch.js';
export * from './span-attributes.js';
export * from './telemetry-options.js';
export * from './telemetry-sdk.js';
export * from './trace-context.js';
export * from './with-span.js';
