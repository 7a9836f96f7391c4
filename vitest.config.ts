import { defineConfig } from 'vitest/config';

// Workspace packages export their TypeScript sources under the `@maskline/source`
// condition, so tests run against src without a build. Integration tests start the
// real apps from their built dist (see tools/testing).
const conditions = ['@maskline/source', 'import', 'module', 'node', 'default'];
const resolve = { conditions };
// Vitest runs tests in Vite's SSR environment, which has its own resolve conditions.
const ssr = { resolve: { conditions, externalConditions: conditions } };

export default defineConfig({
  test: {
    projects: [
      {
        resolve,
        ssr,
        test: {
          name: 'unit',
          include: ['{packages,plugins,apps,tools}/*/test/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**', '**/dist/**'],
          environment: 'node',
        },
      },
      {
        resolve,
        ssr,
        test: {
          name: 'integration',
          include: ['{packages,plugins,apps,tools}/*/test/**/*.int.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
          environment: 'node',
          globalSetup: ['tools/testing/src/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
