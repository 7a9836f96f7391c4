import { MESSAGE_KINDS, ROUTE_STRATEGIES, SENDER_TYPES } from '@maskline/routing';
import { list, nullable, object, type RouteGroupDoc, ref, uuid } from '../openapi/operation-doc.js';
import { zodSchema } from '../openapi/zod-schema.js';
import { routeBodySchema } from './routing-requests.js';

const TAG = 'Routing';
const regions = {
  type: 'array',
  items: { type: 'string', pattern: '^[a-z0-9-]{1,32}$' },
  minItems: 1,
  maxItems: 32,
};
const residency = object({ allowedRegions: regions });

/** /v1/routes, /v1/carrier-prices and /v1/routing/residency (docs/routing.md). */
export const routingDocs: RouteGroupDoc = {
  schemas: {
    RouteRequest: zodSchema(routeBodySchema),
    Route: object({
      id: uuid,
      scope: { enum: ['global', 'tenant'], description: 'global routes are read-only to a tenant.' },
      prefix: nullable({ type: 'string' }),
      country: nullable({ type: 'string' }),
      kind: nullable({ enum: [...MESSAGE_KINDS] }),
      senderType: nullable({ enum: [...SENDER_TYPES] }),
      carrier: { type: 'string' },
      priority: { type: 'integer' },
      weight: { type: 'integer' },
      strategy: { enum: [...ROUTE_STRATEGIES] },
      enabled: { type: 'boolean' },
    }),
    CarrierPrice: object({
      carrier: { type: 'string' },
      prefix: { type: 'string' },
      priceMicros: { type: 'integer', minimum: 0 },
      currency: { type: 'string', pattern: '^[A-Z]{3}$' },
    }),
    Residency: residency,
  },
  operations: [
    {
      method: 'GET',
      path: '/v1/routes',
      operationId: 'listRoutes',
      summary: "List the tenant's routes",
      tag: TAG,
      responses: { 200: { description: 'Every route.', schema: list(ref('Route')) } },
      errors: [],
    },
    {
      method: 'POST',
      path: '/v1/routes',
      operationId: 'createRoute',
      summary: 'Create a route',
      tag: TAG,
      body: ref('RouteRequest'),
      responses: { 201: { description: 'Created.', schema: ref('Route'), location: true } },
      errors: [],
    },
    {
      method: 'PUT',
      path: '/v1/routes/:id',
      operationId: 'replaceRoute',
      summary: 'Replace a route',
      tag: TAG,
      body: ref('RouteRequest'),
      responses: { 200: { description: 'The route as replaced.', schema: ref('Route') } },
      errors: ['route_not_found'],
    },
    {
      method: 'DELETE',
      path: '/v1/routes/:id',
      operationId: 'deleteRoute',
      summary: 'Delete a route',
      tag: TAG,
      responses: { 204: { description: 'Deleted.' } },
      errors: ['route_not_found'],
    },
    {
      method: 'GET',
      path: '/v1/carrier-prices',
      operationId: 'listCarrierPrices',
      summary: 'List carrier prices',
      tag: TAG,
      responses: { 200: { description: 'Every price.', schema: list(ref('CarrierPrice')) } },
      errors: [],
    },
    {
      method: 'GET',
      path: '/v1/routing/residency',
      operationId: 'getResidency',
      summary: "The tenant's allowed data-residency regions",
      tag: TAG,
      responses: {
        200: {
          description: 'null allowedRegions: no restriction.',
          schema: object({ allowedRegions: nullable(regions) }),
        },
      },
      errors: [],
    },
    {
      method: 'PUT',
      path: '/v1/routing/residency',
      operationId: 'setResidency',
      summary: "Set the tenant's allowed data-residency regions (audited)",
      tag: TAG,
      body: ref('Residency'),
      responses: { 200: { description: 'As set.', schema: ref('Residency') } },
      errors: [],
    },
    {
      method: 'DELETE',
      path: '/v1/routing/residency',
      operationId: 'removeResidency',
      summary: "Remove the tenant's residency restriction (audited)",
      tag: TAG,
      responses: { 204: { description: 'Removed.' } },
      errors: [],
    },
  ],
};
