import { type AuditRecorder, MasklineError } from '@maskline/core';
import type { RoutingRepository } from '@maskline/storage';
import type { z } from 'zod';
import { invalid } from '../../http/request-body.js';
import { parseResidency, parseRouteBody, priceBodySchema, routeId } from '../routing-requests.js';
import { toPriceView, toRouteView } from '../routing-routes.js';

export const ROUTES_USAGE = `Usage: npm run routes -- <command> [options]
  (reads DATABASE_URL and the VAULT_* / PKCS11_* settings from the environment; prints JSON lines)

  list [--tenant <id>]                         global routes, and the tenant's own with --tenant
  add --carrier <id> [--tenant <id>] [--prefix <digits>] [--country <XX>] [--kind <kind>]
      [--sender-type alphanumeric|number] [--priority <n>] [--weight <n>]
      [--strategy priority|weight|least_cost] [--disabled]
                                               a route (global unless --tenant)
  remove --route <id> [--tenant <id>]          delete a route (global unless --tenant)
  prices                                       the carrier price table
  prices set --carrier <id> --price-micros <n> --currency <XXX> [--prefix <digits>]
                                               a per-segment price for destinations under the prefix
  prices remove --carrier <id> [--prefix <digits>]
  residency --tenant <id>                      the tenant's allowed regions (null: no policy)
  residency --tenant <id> --regions <r1,r2>    set them (audited)
  residency --tenant <id> --clear              remove the policy (audited)

Running processes pick changes up within ROUTES_REFRESH_MS (5 s by default).`;

export class UsageError extends Error {}

export interface RouteCommandOptions {
  tenant?: string;
  carrier?: string;
  route?: string;
  prefix?: string;
  country?: string;
  kind?: string;
  'sender-type'?: string;
  priority?: string;
  weight?: string;
  strategy?: string;
  disabled?: boolean;
  'price-micros'?: string;
  currency?: string;
  regions?: string;
  clear?: boolean;
}

function need(value: string | undefined, flag: string): string {
  if (!value) throw new UsageError(`--${flag} is required`);
  return value;
}

function int(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${flag} must be a whole number`);
  return Number(value);
}

/** Runs one routes CLI command (`args`: the words after the command, e.g. ["set"]). */
export async function runRouteCommand(
  command: string,
  args: readonly string[],
  options: RouteCommandOptions,
  deps: { repository: RoutingRepository; audit: AuditRecorder; actor: string },
  print: (record: unknown) => void,
): Promise<void> {
  const { repository } = deps;
  const tenant = options.tenant ?? null;
  switch (command) {
    case 'list': {
      const routes = await repository.listRoutes(tenant);
      for (const route of routes) print({ ...toRouteView(route), tenantId: route.tenantId });
      return;
    }
    case 'add': {
      const body = {
        carrier: need(options.carrier, 'carrier'),
        ...(options.prefix !== undefined ? { prefix: options.prefix } : {}),
        ...(options.country !== undefined ? { country: options.country } : {}),
        ...(options.kind !== undefined ? { kind: options.kind } : {}),
        ...(options['sender-type'] !== undefined ? { senderType: options['sender-type'] } : {}),
        ...(options.priority !== undefined ? { priority: int(options.priority, 'priority') } : {}),
        ...(options.weight !== undefined ? { weight: int(options.weight, 'weight') } : {}),
        ...(options.strategy !== undefined ? { strategy: options.strategy } : {}),
        enabled: !options.disabled,
      };
      const route = await repository.createRoute(parseRouteBody(body, tenant, new Set()));
      print({ ...toRouteView(route), tenantId: route.tenantId });
      return;
    }
    case 'remove': {
      if (!(await repository.deleteRoute(tenant, routeId(need(options.route, 'route'))))) {
        throw new MasklineError('route_not_found');
      }
      print({ removed: options.route });
      return;
    }
    case 'prices':
      return prices(args[0], options, repository, print);
    case 'residency':
      return residency(need(options.tenant, 'tenant'), options, deps, print);
    default:
      throw new UsageError(`unknown command: ${command}`);
  }
}

async function prices(
  action: string | undefined,
  options: RouteCommandOptions,
  repository: RoutingRepository,
  print: (record: unknown) => void,
): Promise<void> {
  if (action === undefined || action === 'list') {
    for (const price of await repository.listPrices(options.carrier)) print(toPriceView(price));
    return;
  }
  const prefix = (options.prefix ?? '').replace(/^\+/, '');
  if (action === 'set') {
    const parsed = priceBodySchema.safeParse({
      carrier: need(options.carrier, 'carrier'),
      prefix,
      priceMicros: int(need(options['price-micros'], 'price-micros'), 'price-micros'),
      currency: need(options.currency, 'currency'),
    });
    if (!parsed.success) throw invalid(parsed.error as z.ZodError);
    const price = {
      ...parsed.data,
      carrierId: parsed.data.carrier,
      prefix: parsed.data.prefix.replace(/^\+/, ''),
    };
    await repository.setPrice(price);
    print(toPriceView(price));
    return;
  }
  if (action === 'remove') {
    const removed = await repository.deletePrice(need(options.carrier, 'carrier'), prefix);
    print({ removed, carrier: options.carrier, prefix });
    return;
  }
  throw new UsageError(`unknown prices action: ${action}`);
}

async function residency(
  tenantId: string,
  options: RouteCommandOptions,
  deps: { repository: RoutingRepository; audit: AuditRecorder; actor: string },
  print: (record: unknown) => void,
): Promise<void> {
  if (options.regions === undefined && !options.clear) {
    print({ tenantId, allowedRegions: await deps.repository.residencyOf(tenantId) });
    return;
  }
  const regions = options.clear
    ? null
    : parseResidency({ allowedRegions: options.regions!.split(',').map((r) => r.trim()) });
  await deps.repository.setResidency(tenantId, regions);
  await deps.audit.record({
    tenantId,
    actor: deps.actor,
    action: regions ? 'routing.residency_set' : 'routing.residency_removed',
    subject: `tenant:${tenantId}`,
    details: regions ? { allowedRegions: regions.join(',') } : {},
  });
  print({ tenantId, allowedRegions: regions });
}
