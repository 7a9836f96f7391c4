import type { EndpointService } from '../endpoints/endpoint-service.js';
import { RangeRedelivery } from '../endpoints/range-redelivery.js';
import type { DeliveryStore } from '../store/delivery-store.js';

export const WEBHOOKS_USAGE = `Usage: npm run webhooks -- <command> --tenant <id> [options]
  (reads DATABASE_URL, the VAULT_* / PKCS11_* settings and WEBHOOK_ALLOWED_PORTS from the environment)

  list                                         the tenant's endpoints (never a secret)
  create --url <url> --types <t1,t2> [--include-inbound-body]
                                               a new endpoint; prints its signing secret this once
  disable --endpoint <id>                      stop sending to it (reason api)
  enable --endpoint <id>                       send again (clears the failure clock)
  rotate-secret --endpoint <id> [--previous-valid-seconds <n>]
                                               a new secret; the old one signs on for n s (default 86400)
  attempts --endpoint <id> [--limit <n>]       the attempt log, newest first
  redeliver --endpoint <id> --event <id>       send one event to the endpoint again
  redeliver --endpoint <id> --from <iso> --to <iso> [--include-delivered] [--limit <n>]
                                               send again what failed (with --include-delivered: also what
                                               succeeded) for events recorded in [from, to), at most 31 days;
                                               n per statement (default 10000), one line per statement`;

export class UsageError extends Error {}

export interface CommandOptions {
  tenant?: string;
  endpoint?: string;
  event?: string;
  url?: string;
  types?: string;
  limit?: string;
  from?: string;
  to?: string;
  'include-delivered'?: boolean;
  'include-inbound-body'?: boolean;
  'previous-valid-seconds'?: string;
}

function need(value: string | undefined, flag: string): string {
  if (!value) throw new UsageError(`--${flag} is required`);
  return value;
}

/** Runs one CLI command; each printed record is one JSON line. */
export async function runWebhookCommand(
  command: string,
  options: CommandOptions,
  deps: { endpoints: EndpointService; deliveries: DeliveryStore },
  print: (record: unknown) => void,
): Promise<void> {
  const tenant = need(options.tenant, 'tenant');
  const { endpoints, deliveries } = deps;
  switch (command) {
    case 'list': {
      let cursor: string | null = null;
      do {
        const page = await endpoints.list(tenant, { limit: 100, cursor });
        for (const endpoint of page.data) print(endpoint);
        cursor = page.nextCursor;
      } while (cursor);
      return;
    }
    case 'create': {
      const eventTypes = need(options.types, 'types')
        .split(',')
        .map((t) => t.trim());
      const created = await endpoints.create(tenant, {
        url: need(options.url, 'url'),
        eventTypes,
        includeInboundBody: options['include-inbound-body'] ?? false,
      });
      print({ ...created.endpoint, secret: created.secret });
      return;
    }
    case 'disable':
    case 'enable':
      print(
        await endpoints.update(tenant, need(options.endpoint, 'endpoint'), { enabled: command === 'enable' }),
      );
      return;
    case 'rotate-secret': {
      const seconds = Number(options['previous-valid-seconds'] ?? 86_400);
      if (!Number.isInteger(seconds) || seconds < 0)
        throw new UsageError('--previous-valid-seconds must be >= 0');
      print(await endpoints.rotateSecret(tenant, need(options.endpoint, 'endpoint'), seconds * 1_000));
      return;
    }
    case 'attempts': {
      const endpointId = need(options.endpoint, 'endpoint');
      await endpoints.get(tenant, endpointId);
      const limit = Math.min(1_000, Math.max(1, Number(options.limit ?? 50) || 50));
      for (const attempt of (await deliveries.attempts(tenant, endpointId, limit, null)).data) print(attempt);
      return;
    }
    case 'redeliver': {
      const endpointId = need(options.endpoint, 'endpoint');
      if (options.from !== undefined || options.to !== undefined) {
        if (options.event !== undefined) throw new UsageError('--event or --from/--to, not both');
        await redeliverRange(tenant, endpointId, options, deps, print);
        return;
      }
      const eventId = need(options.event, 'event');
      await endpoints.get(tenant, endpointId);
      const deliveryId = await deliveries.redeliver(tenant, endpointId, eventId);
      if (!deliveryId) throw new UsageError(`no event ${eventId} was addressed to endpoint ${endpointId}`);
      print({ deliveryId, eventId, state: 'pending' });
      return;
    }
    default:
      throw new UsageError(`unknown command: ${command}`);
  }
}

/** Redelivers a time range, one bounded statement after the other until the range is done. */
async function redeliverRange(
  tenant: string,
  endpointId: string,
  options: CommandOptions,
  deps: { endpoints: EndpointService; deliveries: DeliveryStore },
  print: (record: unknown) => void,
): Promise<void> {
  const redelivery = new RangeRedelivery(deps.endpoints, deps.deliveries);
  const limit = options.limit === undefined ? undefined : Number(options.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
    throw new UsageError('--limit must be >= 1');
  let cursor: string | null = null;
  do {
    const answer = await redelivery.redeliver(tenant, endpointId, {
      from: need(options.from, 'from'),
      to: need(options.to, 'to'),
      states: options['include-delivered'] ? ['dead', 'delivered'] : ['dead'],
      ...(limit === undefined ? {} : { limit }),
      cursor,
    });
    print(answer);
    cursor = answer.nextCursor;
  } while (cursor);
}
