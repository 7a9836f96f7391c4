import { lookup as dnsLookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

/**
 * Where a webhook may be sent (the SSRF guard). A URL is checked when it is registered
 * (syntax: scheme, port, no credentials) and again at every delivery: its host is resolved
 * then, and the delivery is refused when ANY address is not public unicast. The POST then
 * connects to the vetted address itself (see webhook-post.ts), so a DNS answer that changes
 * between the check and the connect (rebinding) cannot redirect it.
 */
export interface TargetPolicy {
  /** Ports a URL may name (default 80, 443, 8080, 8443). */
  allowedPorts: ReadonlySet<number>;
  /**
   * WEBHOOK_ALLOW_LOOPBACK=1: loopback addresses (127/8, ::1 and their IPv4-mapped form) are
   * allowed, for local development and tests. Private, link-local, metadata and every other
   * non-public range stay refused.
   */
  allowLoopback: boolean;
}

export const DEFAULT_WEBHOOK_PORTS: readonly number[] = [80, 443, 8080, 8443];

export type TargetRefusal =
  | 'invalid_url'
  | 'scheme_not_allowed'
  | 'port_not_allowed'
  | 'credentials_in_url'
  | 'dns_failed'
  | 'address_not_public';

/** A URL or address the guard refused; `reason` is a stable class for the attempt log. */
export class TargetRefusedError extends Error {
  constructor(
    readonly reason: TargetRefusal,
    readonly detail: string,
  ) {
    super(`webhook target refused: ${reason} (${detail})`);
    this.name = 'TargetRefusedError';
  }
}

export interface VettedAddress {
  address: string;
  family: 4 | 6;
}

export interface VettedTarget {
  url: URL;
  /** The host without IPv6 brackets, as resolved. */
  host: string;
  addresses: VettedAddress[];
}

/** Cloud metadata services, named on their own in the refusal (both are also non-public ranges). */
const METADATA_ADDRESSES = new Set(['169.254.169.254', 'fd00:ec2::254']);

export function targetPolicy(
  options: { allowedPorts?: Iterable<number>; allowLoopback?: boolean } = {},
): TargetPolicy {
  return {
    allowedPorts: new Set(options.allowedPorts ?? DEFAULT_WEBHOOK_PORTS),
    allowLoopback: options.allowLoopback ?? false,
  };
}

/** Syntax check of a webhook URL (at registration and before every delivery). */
export function checkWebhookUrl(raw: string, policy: TargetPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TargetRefusedError('invalid_url', 'not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TargetRefusedError('scheme_not_allowed', url.protocol);
  }
  if (url.username || url.password) throw new TargetRefusedError('credentials_in_url', 'userinfo');
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  if (!policy.allowedPorts.has(port)) throw new TargetRefusedError('port_not_allowed', String(port));
  if (!url.hostname) throw new TargetRefusedError('invalid_url', 'no host');
  return url;
}

/**
 * Why an address may not receive a webhook, or null when it may. IPv4-mapped IPv6 addresses
 * (`::ffff:127.0.0.1`) are judged as the IPv4 address they carry. Only public unicast passes:
 * loopback, private (RFC 1918, fc00::/7), link-local, CGNAT, multicast, unspecified,
 * broadcast, reserved, documentation, NAT64/6to4/Teredo (which embed IPv4 addresses) and
 * cloud metadata addresses are all refused.
 */
export function addressRefusal(address: string, policy: Pick<TargetPolicy, 'allowLoopback'>): string | null {
  if (!ipaddr.isValid(address)) return 'unparseable';
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  if (METADATA_ADDRESSES.has(parsed.toNormalizedString()) || METADATA_ADDRESSES.has(parsed.toString())) {
    return 'cloud_metadata';
  }
  const range = parsed.range();
  if (range === 'unicast') return null;
  if (range === 'loopback' && policy.allowLoopback) return null;
  return range;
}

export type LookupAll = (host: string) => Promise<VettedAddress[]>;

const systemLookup: LookupAll = async (host) =>
  (await dnsLookup(host, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

/**
 * Checks the URL, resolves its host (every address) and refuses it when any address is not
 * allowed. Call at delivery time; connect only to the returned addresses.
 */
export async function vetWebhookTarget(
  raw: string,
  policy: TargetPolicy,
  lookup: LookupAll = systemLookup,
): Promise<VettedTarget> {
  const url = checkWebhookUrl(raw, policy);
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  let addresses: VettedAddress[];
  try {
    addresses = await lookup(host);
  } catch (error) {
    throw new TargetRefusedError('dns_failed', (error as NodeJS.ErrnoException).code ?? 'lookup');
  }
  if (addresses.length === 0) throw new TargetRefusedError('dns_failed', 'no address');
  for (const { address } of addresses) {
    const refusal = addressRefusal(address, policy);
    if (refusal) throw new TargetRefusedError('address_not_public', refusal);
  }
  return { url, host, addresses };
}
