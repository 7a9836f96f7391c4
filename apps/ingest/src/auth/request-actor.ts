import { AsyncLocalStorage } from 'node:async_hooks';
import type { AuditEventInput, AuditRecorder } from '@maskline/core';

/** Who serves the request being handled, and whether it is sandbox (ml_test_) traffic. */
interface RequestContext {
  actor: string | undefined;
  sandbox: boolean;
}

const contexts = new AsyncLocalStorage<RequestContext>();

/** Runs `fn` (and everything it awaits) as `actor`, e.g. "api_key:<id>". */
export function runAsActor<T>(actor: string | undefined, fn: () => T): T {
  return runInRequest({ actor, sandbox: false }, fn);
}

/** Runs `fn` (and everything it awaits) in the request's context (actor, sandbox). */
export function runInRequest<T>(context: RequestContext, fn: () => T): T {
  return context.actor || context.sandbox ? contexts.run(context, fn) : fn();
}

export function currentActor(): string | undefined {
  return contexts.getStore()?.actor;
}

/** True inside a request made with an ml_test_ key (docs/guides/sandbox.md). */
export function isSandboxRequest(): boolean {
  return contexts.getStore()?.sandbox === true;
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
