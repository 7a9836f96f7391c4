import { Pool } from 'undici';
import type { VettedTarget } from '../target-guard.js';
import { pinnedLookup } from '../webhook-post.js';

export interface EndpointAgentSettings {
  /** Pools kept at most (one per endpoint and vetted address set); the least recently used goes. */
  maxAgents?: number;
  /** An idle kept-alive connection is closed after this long (sooner if the receiver says so). */
  idleMs?: number;
}

/**
 * Kept-alive connections per webhook endpoint, as undici pools. A new TCP (and TLS) connection per POST costs
 * both sides a handshake and a teardown; under a message.status stream that is most of a
 * POST's work. Each agent belongs to one endpoint and one set of vetted addresses: its
 * sockets connect only through the pinned lookup of that set, so a connection is reused only
 * while DNS still answers what the guard vetted (a changed answer makes a new agent), and two
 * endpoints on one host never share a connection. At most `maxConcurrency` connections each,
 * one request at a time on each (no pipelining: a POST is not idempotent).
 */
export class EndpointAgents {
  private readonly agents = new Map<string, Pool>();
  private readonly maxAgents: number;
  private readonly idleMs: number;

  constructor(settings: EndpointAgentSettings = {}) {
    this.maxAgents = settings.maxAgents ?? 1_000;
    this.idleMs = settings.idleMs ?? 30_000;
  }

  /** The pool for this endpoint's vetted target (created on first use). */
  for(endpointId: string, target: VettedTarget, maxSockets: number): Pool {
    const addresses = target.addresses.map((a) => `${a.family}/${a.address}`).join(',');
    const key = `${endpointId}|${target.url.protocol}|${maxSockets}|${addresses}`;
    let agent = this.agents.get(key);
    if (agent) {
      // Most recently used last: the first entry is the one to evict.
      this.agents.delete(key);
      this.agents.set(key, agent);
      return agent;
    }
    agent = new Pool(target.url.origin, {
      connections: maxSockets,
      pipelining: 1,
      keepAliveTimeout: this.idleMs,
      keepAliveMaxTimeout: this.idleMs,
      connect: { lookup: pinnedLookup(target.addresses) },
    });
    // The endpoint's earlier agents (other addresses, another concurrency) are done with.
    for (const [other, old] of this.agents) {
      if (other.startsWith(`${endpointId}|`)) {
        this.agents.delete(other);
        void old.destroy().catch(() => {});
      }
    }
    this.agents.set(key, agent);
    for (const [oldest, old] of this.agents) {
      if (this.agents.size <= this.maxAgents) break;
      this.agents.delete(oldest);
      void old.destroy().catch(() => {});
    }
    return agent;
  }

  /** Closes every kept connection. */
  close(): void {
    for (const agent of this.agents.values()) void agent.destroy().catch(() => {});
    this.agents.clear();
  }
}
