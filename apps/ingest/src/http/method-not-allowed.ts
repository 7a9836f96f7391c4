import type { FastifyInstance } from 'fastify';

interface KnownPath {
  pattern: RegExp;
  methods: Set<string>;
}

/**
 * The methods each registered path answers, so that a known path asked with another
 * method is `405 method_not_allowed` with `Allow`, not `404 not_found` (fastify's router
 * only knows "no route"). Filled by an onRoute hook: install it before any route.
 */
export class KnownRoutes {
  private readonly paths = new Map<string, KnownPath>();

  install(app: FastifyInstance): void {
    app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      const known = this.paths.get(route.url) ?? { pattern: patternOf(route.url), methods: new Set() };
      for (const method of methods) known.methods.add(method.toUpperCase());
      this.paths.set(route.url, known);
    });
  }

  /** The methods `path` answers, sorted; empty when no route has this path. */
  allowed(path: string): string[] {
    const methods = new Set<string>();
    for (const known of this.paths.values()) {
      if (known.pattern.test(path)) for (const method of known.methods) methods.add(method);
    }
    return [...methods].sort();
  }
}

/** `/v1/messages/:id` -> /^\/v1\/messages\/[^/]+$/ (parameters match one path segment). */
function patternOf(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}$`);
}
