/** Architecture rules checked by `npm run lint`. Arrows run apps -> adapters -> core. */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Circular imports make module init order fragile; split the shared piece out.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-has-no-io',
      severity: 'error',
      comment: 'packages/core is the domain: no database, queue, network or HTTP library.',
      from: { path: '^packages/core/src' },
      to: {
        path: '(^|/)node_modules/(pg|ioredis|bullmq|fastify|undici|smpp|pino)(/|$)|^(net|http|https|node:net|node:http|node:https|fs|node:fs|child_process|node:child_process)$',
      },
    },
    {
      name: 'core-imports-no-workspace',
      severity: 'error',
      comment: 'core depends on nothing else in the monorepo.',
      from: { path: '^packages/core/src' },
      to: { path: '^(packages/(?!core/)[^/]+|plugins|apps|tools)/' },
    },
    {
      name: 'plugins-know-no-queues-or-db',
      severity: 'error',
      comment: 'A carrier plugin speaks its protocol; the host owns queues and storage.',
      from: { path: '^plugins/[^/]+/src' },
      to: { path: '(^|/)node_modules/(pg|ioredis|bullmq)(/|$)|^packages/(storage|queues)/' },
    },
    {
      name: 'no-relative-imports-across-packages',
      severity: 'error',
      comment:
        'Import another workspace through its package name and exports, never ../ across package lines.',
      from: { path: '^(packages|plugins|apps|tools)/([^/]+)/' },
      to: { path: '^(packages|plugins|apps|tools)/', pathNot: '^$1/$2/', dependencyTypes: ['local'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.depcruise.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['@maskline/source', 'import', 'types', 'default'],
      extensions: ['.ts', '.js'],
    },
  },
};
