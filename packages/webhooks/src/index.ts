export * from './signing.js';
export * from './target-guard.js';
export * from './webhook-post.js';
