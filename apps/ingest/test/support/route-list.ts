import type { FastifyInstance } from 'fastify';

/**
 * Every route of a ready app as `{ method, url }`, read from fastify's own route tree
 * (`printRoutes({ commonPrefix: false })`), so a route added anywhere shows up here.
 */
export function registeredRoutes(app: FastifyInstance): { method: string; url: string }[] {
  const routes: { method: string; url: string }[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^((?:[│ ] {3})*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = (match[1] ?? '').length / 4;
    stack.length = depth;
    const url = `${depth > 0 ? stack[depth - 1] : ''}${match[2]}`;
    stack.push(url);
    for (const method of match[3]?.split(', ') ?? []) routes.push({ method, url });
  }
  return routes;
}
