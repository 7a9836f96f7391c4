import { AsyncLocalStorage } from 'node:async_hooks';
import type { AuditEventInput, AuditRecorder } from '@maskline/core';

const actors = new AsyncLocalStorage<string>();

/** Runs `fn` (and everything it awaits) as `actor`, e.g. "api_key:<id>". */
export function runAsActor<T>(actor: string | undefined, fn: () => T): T {
  return actor ? actors.run(actor, fn) : fn();
}

export function currentActor(): string | undefined {
  return actors.getStore();
}

/**
 * An audit recorder that names the API key of the request being served when the event
 * does not name an actor itself (masking changes, for one); outside a request the inner
 * recorder's default (the process, "system:...") stands.
 */
export class RequestActorAudit implements AuditRecorder {
  constructor(private readonly inner: AuditRecorder) {}

  record(event: AuditEventInput): Promise<void> {
    const actor = event.actor ?? currentActor();
    return this.inner.record(actor ? { ...event, actor } : event);
  }
}
