import { describe, expect, it } from 'vitest';
import { EndpointAgents } from '../src/dispatch/endpoint-agents.js';

const target = (address: string, protocol = 'http:') => ({
  url: new URL(`${protocol}//hooks.example:8443/x`),
  host: 'hooks.example',
  addresses: [{ address, family: 4 as const }],
});

describe('EndpointAgents', () => {
  it('keeps one agent per endpoint and vetted addresses, never shared between endpoints', () => {
    const agents = new EndpointAgents();
    const a = agents.for('e1', target('203.0.113.5'), 4);
    expect(agents.for('e1', target('203.0.113.5'), 4)).toBe(a);
    expect(agents.for('e2', target('203.0.113.5'), 4)).not.toBe(a);
    agents.close();
  });

  it('replaces an endpoint agent when DNS answers other addresses, closing the old one', () => {
    const agents = new EndpointAgents();
    const a = agents.for('e1', target('203.0.113.5'), 4);
    let destroyed = false;
    const destroy = a.destroy.bind(a);
    a.destroy = (() => {
      destroyed = true;
      return destroy();
    }) as typeof a.destroy;
    const b = agents.for('e1', target('203.0.113.9'), 4);
    expect(b).not.toBe(a);
    expect(destroyed).toBe(true);
    agents.close();
  });

  it('holds at most maxAgents, dropping the least recently used', () => {
    const agents = new EndpointAgents({ maxAgents: 2 });
    const a = agents.for('e1', target('203.0.113.5'), 1);
    agents.for('e2', target('203.0.113.5'), 1);
    agents.for('e1', target('203.0.113.5'), 1); // e1 used again: e2 is now the oldest
    agents.for('e3', target('203.0.113.5'), 1);
    expect(agents.for('e1', target('203.0.113.5'), 1)).toBe(a);
    agents.close();
  });
});
