import type { EndpointRow } from '../store/endpoint-store.js';

/** An endpoint as the API shows it: never a secret (that is shown once, at creation or rotation). */
export interface EndpointView {
  id: string;
  url: string;
  eventTypes: string[];
  includeInboundBody: boolean;
  description: string | null;
  state: 'enabled' | 'disabled';
  disabledReason: 'api' | 'gone' | 'failing' | null;
  disabledAt: string | null;
  failingSince: string | null;
  maxConcurrency: number;
  timeoutMs: number;
  createdAt: string;
  updatedAt: string;
}

export function toEndpointView(row: EndpointRow): EndpointView {
  return {
    id: row.id,
    url: row.url,
    eventTypes: row.event_types,
    includeInboundBody: row.include_inbound_body,
    description: row.description,
    state: row.state,
    disabledReason: row.disabled_reason,
    disabledAt: row.disabled_at?.toISOString() ?? null,
    failingSince: row.failing_since?.toISOString() ?? null,
    maxConcurrency: row.max_concurrency,
    timeoutMs: row.timeout_ms,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
