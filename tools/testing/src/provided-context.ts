import type {} from 'vitest';

/** What the integration global setup hands every test through vitest's inject(). */
declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    postgresUrl: string;
  }
}
