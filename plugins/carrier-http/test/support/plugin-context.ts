import {
  type CarrierEvent,
  type PluginContext,
  type PluginHttpRequest,
  type PluginHttpResponse,
  silentLogger,
  systemClock,
} from '@maskline/core';
import { trace } from '@opentelemetry/api';

/** A plugin context whose HTTP client answers from `answer` and records every request. */
export function recordingContext(
  answer: (request: PluginHttpRequest) => PluginHttpResponse | Promise<PluginHttpResponse>,
  overrides: Partial<PluginContext> = {},
): { ctx: PluginContext; requests: PluginHttpRequest[]; events: CarrierEvent[] } {
  const requests: PluginHttpRequest[] = [];
  const events: CarrierEvent[] = [];
  const ctx: PluginContext = {
    carrierId: 'test',
    logger: silentLogger,
    tracer: trace.getTracer('test'),
    clock: systemClock,
    events: { publish: async (e) => void events.push(e) },
    secrets: {},
    http: {
      request: async (request) => {
        requests.push(request);
        return answer(request);
      },
    },
    ...overrides,
  };
  return { ctx, requests, events };
}

export function jsonAnswer(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): PluginHttpResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}
