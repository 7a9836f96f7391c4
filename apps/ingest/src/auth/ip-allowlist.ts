import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { MasklineError } from '@maskline/core';

/** Most CIDRs one API key may carry. */
export const MAX_ALLOWED_CIDRS = 100;

const PREFIX = /^(0|[1-9]\d{0,2})$/;
const MAPPED_V4 = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i;

interface Cidr {
  family: 'ipv4' | 'ipv6';
  address: string;
  prefix: number;
}

/**
 * The client addresses one API key is honoured from, matched by node:net's BlockList.
 * Built once per key lookup (auth/api-key-cache.ts keeps it with the cached key), so a
 * request costs one `check`, not a parse.
 */
export class IpAllowlist {
  private constructor(private readonly list: BlockList) {}

  /** From canonical CIDRs as stored (parseAllowedCidrs wrote them). */
  static of(cidrs: readonly string[]): IpAllowlist {
    const list = new BlockList();
    for (const text of cidrs) {
      const cidr = parseCidr(text);
      // A row written around the validation (SQL by hand) is skipped, never widened.
      if (cidr) list.addSubnet(cidr.address, cidr.prefix, cidr.family);
    }
    return new IpAllowlist(list);
  }

  /**
   * Whether `address` (fastify's request.ip) is inside the list. An IPv4-mapped IPv6
   * address (`::ffff:192.0.2.1`, what a dual-stack socket reports for IPv4 clients) is
   * checked as the IPv4 address it carries, and as itself.
   */
  allows(address: string | undefined): boolean {
    if (!address) return false;
    const mapped = MAPPED_V4.exec(address);
    if (mapped?.[1] && isIPv4(mapped[1]) && this.list.check(mapped[1], 'ipv4')) return true;
    if (isIPv4(address)) return this.list.check(address, 'ipv4');
    if (isIPv6(address) && !address.includes('%')) return this.list.check(address, 'ipv6');
    return false;
  }
}

/** `192.0.2.0/24`, `2001:db8::/32`, or a bare address (one host); null when not exactly that. */
export function parseCidr(text: string): Cidr | null {
  if (text.length > 64) return null;
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const prefixText = slash === -1 ? null : text.slice(slash + 1);
  const family = isIPv4(address) ? 'ipv4' : isIPv6(address) && !address.includes('%') ? 'ipv6' : null;
  if (!family) return null;
  const bits = family === 'ipv4' ? 32 : 128;
  if (prefixText !== null && !PREFIX.test(prefixText)) return null;
  const prefix = prefixText === null ? bits : Number(prefixText);
  if (prefix > bits) return null;
  return { family, address, prefix };
}

function bytesOf(cidr: Cidr): number[] {
  if (cidr.family === 'ipv4') return cidr.address.split('.').map(Number);
  let text = cidr.address;
  const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1] && v4[2]) {
    const [a = 0, b = 0, c = 0, d = 0] = v4[2].split('.').map(Number);
    text = `${v4[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const groupsOf = (part: string) => (part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16)));
  const front = groupsOf(head);
  const back = tail === undefined ? [] : groupsOf(tail);
  const groups = [...front, ...new Array(8 - front.length - back.length).fill(0), ...back];
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

function hostBitsSet(cidr: Cidr): boolean {
  const bytes = bytesOf(cidr);
  for (let bit = cidr.prefix; bit < bytes.length * 8; bit++) {
    if (((bytes[bit >> 3] ?? 0) >> (7 - (bit & 7))) & 1) return true;
  }
  return false;
}

/** The canonical text of a CIDR: IPv6 lower-case and compressed (RFC 5952), always with a prefix. */
function canonical(cidr: Cidr): string {
  const address =
    cidr.family === 'ipv6' ? new URL(`http://[${cidr.address}]`).hostname.slice(1, -1) : cidr.address;
  return `${address}/${cidr.prefix}`;
}

function invalid(field: string, message: string, index?: number): MasklineError {
  return new MasklineError('invalid_cidr', {
    message,
    details: index === undefined ? { field } : { field, index },
  });
}

/**
 * Validates an allowlist as the API and the CLI take it: null (any address) or 1 to
 * MAX_ALLOWED_CIDRS CIDRs, IPv4 or IPv6, host bits clear (`10.0.0.1/8` is refused: it is
 * almost always a typo). Returns the canonical, de-duplicated list. Errors name the field
 * and the entry's index, never echo it.
 */
export function parseAllowedCidrs(input: unknown, field = 'allowedCidrs'): string[] | null {
  if (input === null) return null;
  if (!Array.isArray(input) || input.length === 0 || input.length > MAX_ALLOWED_CIDRS) {
    throw invalid(
      field,
      `${field} must be null (any address) or a list of 1 to ${MAX_ALLOWED_CIDRS} CIDRs such as 192.0.2.0/24 or 2001:db8::/32.`,
    );
  }
  const out: string[] = [];
  input.forEach((entry: unknown, index) => {
    const cidr = typeof entry === 'string' ? parseCidr(entry.trim()) : null;
    if (!cidr) {
      throw invalid(
        field,
        `${field}[${index}] is not an IPv4 or IPv6 CIDR (address/prefix, e.g. 192.0.2.0/24 or 2001:db8::/32).`,
        index,
      );
    }
    if (hostBitsSet(cidr)) {
      throw invalid(
        field,
        `${field}[${index}] has bits set after its prefix length; write the network address (e.g. 10.0.0.0/8).`,
        index,
      );
    }
    const text = canonical(cidr);
    if (!out.includes(text)) out.push(text);
  });
  return out;
}
