export * from './analysis.js';
export * from './chaos-stack.js';
export * from './drill.js';
export * from './options.js';
export * from './report.js';
export * from './webhook-tally.js';
