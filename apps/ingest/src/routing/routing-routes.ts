import { type AuditRecorder, MasklineError } from '@maskline/core';
import type { CarrierPrice, Route, RouteTable } from '@maskline/routing';
import type { RoutingRepository } from '@maskline/storage';
import type { FastifyInstance } from 'fastify';
import { actorOf, tenantOf } from '../auth/api-key-auth.js';
import { parseResidency, parseRouteBody, routeId } from './routing-requests.js';

export interface RoutingRoutesDeps {
  repository: RoutingRepository;
  table: RouteTable;
  /** Configured carrier ids (empty: not known here, any id is taken). */
  carriers: ReadonlySet<string>;
  /** Residency policy changes are audited. */
  audit: AuditRecorder;
}

/** A route as the API shows it: `scope` says whether it is the tenant's own or global. */
export function toRouteView(route: Route) {
  return {
    id: route.id,
    scope: route.tenantId === null ? 'global' : 'tenant',
    prefix: route.prefix,
    country: route.country,
    kind: route.kind,
    senderType: route.senderType,
    carrier: route.carrierId,
    priority: route.priority,
    weight: route.weight,
    strategy: route.strategy,
    enabled: route.enabled,
  };
}

export function toPriceView(price: CarrierPrice) {
  return {
    carrier: price.carrierId,
    prefix: price.prefix,
    priceMicros: price.priceMicros,
    currency: price.currency,
  };
}

/**
 * The routing API (docs/routing.md). An API key manages its tenant's own routes and
 * residency policy; it reads, but never writes, the global routes and carrier prices,
 * which serve every tenant and are the operator's (`npm run routes`). A change applies
 * to this process at once and to the other ingest processes at their next refresh.
 */
export async function routingRoutes(app: FastifyInstance, deps: RoutingRoutesDeps): Promise<void> {
  const { repository, table } = deps;
  const changed = () => table.refresh();

  app.get('/v1/routes', async (request) => ({
    data: (await repository.listRoutes(tenantOf(request))).map(toRouteView),
  }));

  app.post('/v1/routes', async (request, reply) => {
    const tenantId = tenantOf(request);
    const route = await repository.createRoute(parseRouteBody(request.body, tenantId, deps.carriers));
    await changed();
    void reply.status(201).header('location', `/v1/routes/${route.id}`);
    return toRouteView(route);
  });

  app.put<{ Params: { id: string } }>('/v1/routes/:id', async (request) => {
    const tenantId = tenantOf(request);
    const id = routeId(request.params.id);
    const { tenantId: _owner, ...fields } = parseRouteBody(request.body, tenantId, deps.carriers);
    const route = await repository.updateRoute(tenantId, id, fields);
    if (!route) throw new MasklineError('route_not_found');
    await changed();
    return toRouteView(route);
  });

  app.delete<{ Params: { id: string } }>('/v1/routes/:id', async (request, reply) => {
    const tenantId = tenantOf(request);
    if (!(await repository.deleteRoute(tenantId, routeId(request.params.id)))) {
      throw new MasklineError('route_not_found');
    }
    await changed();
    return reply.status(204).send();
  });

  app.get('/v1/carrier-prices', async (request) => {
    tenantOf(request);
    return { data: (await repository.listPrices()).map(toPriceView) };
  });

  app.get('/v1/routing/residency', async (request) => ({
    allowedRegions: await repository.residencyOf(tenantOf(request)),
  }));

  app.put('/v1/routing/residency', async (request) => {
    const tenantId = tenantOf(request);
    const allowedRegions = parseResidency(request.body);
    await repository.setResidency(tenantId, allowedRegions);
    await auditResidency(deps.audit, actorOf(request), tenantId, allowedRegions);
    await changed();
    return { allowedRegions };
  });

  app.delete('/v1/routing/residency', async (request, reply) => {
    const tenantId = tenantOf(request);
    await repository.setResidency(tenantId, null);
    await auditResidency(deps.audit, actorOf(request), tenantId, null);
    await changed();
    return reply.status(204).send();
  });
}

function auditResidency(
  audit: AuditRecorder,
  actor: string,
  tenantId: string,
  allowedRegions: string[] | null,
): Promise<void> {
  return audit.record({
    tenantId,
    actor,
    action: allowedRegions ? 'routing.residency_set' : 'routing.residency_removed',
    subject: `tenant:${tenantId}`,
    details: allowedRegions ? { allowedRegions: allowedRegions.join(',') } : {},
  });
}
