import { MasklineError } from '@maskline/core';
import { checkWebhookUrl, type TargetPolicy, TargetRefusedError } from '../target-guard.js';

/**
 * A message's status callback: the URL to post its message.status events to, and the
 * endpoint whose secrets, timeout and concurrency it uses (docs/webhooks.md#statuscallback).
 */
export interface StatusCallback {
  endpointId: string;
  url: string;
}

/** Longer callback URLs are refused (`invalid_webhook_url`, reason `too_long`). */
export const MAX_STATUS_CALLBACK_CHARS = 2048;

/**
 * Checks a requested statusCallback URL (as an endpoint URL: scheme, port, no credentials;
 * else `invalid_webhook_url`) and returns it normalised, without a fragment. Errors name the
 * field and the reason, never the URL (it may carry a credential in its path).
 */
export function checkStatusCallbackUrl(raw: string, policy: TargetPolicy): URL {
  if (raw.length > MAX_STATUS_CALLBACK_CHARS) throw invalidUrl('too_long');
  try {
    const url = checkWebhookUrl(raw, policy);
    url.hash = '';
    return url;
  } catch (error) {
    if (!(error instanceof TargetRefusedError)) throw error;
    throw invalidUrl(error.reason);
  }
}

/**
 * The endpoint a callback URL lies under: among `endpoints` of the same origin (scheme, host,
 * port) whose URL is a prefix of it, the longest wins; null when none is. The prefix ends at
 * a boundary: the URLs are equal, the endpoint's URL ends with `/`, `?` or `&`, or the
 * callback continues with `/` or `?` (`/hooks` covers `/hooks/a` and `/hooks?m=1`, not
 * `/hooksx`).
 */
export function matchStatusCallback(
  url: URL,
  endpoints: readonly { id: string; url: string }[],
): StatusCallback | null {
  const href = url.toString();
  let best: { id: string; url: string } | null = null;
  for (const endpoint of endpoints) {
    let base: URL;
    try {
      base = new URL(endpoint.url);
    } catch {
      continue;
    }
    if (base.origin !== url.origin) continue;
    base.hash = '';
    const prefix = base.toString();
    if (!liesUnder(href, prefix)) continue;
    if (!best || prefix.length > best.url.length) best = { id: endpoint.id, url: prefix };
  }
  return best ? { endpointId: best.id, url: href } : null;
}

function liesUnder(href: string, prefix: string): boolean {
  if (!href.startsWith(prefix)) return false;
  if (href.length === prefix.length || /[/?&]$/.test(prefix)) return true;
  return '/?'.includes(href[prefix.length]!);
}

function invalidUrl(reason: string): MasklineError {
  return new MasklineError('invalid_webhook_url', { details: { field: 'statusCallback', reason } });
}

export function callbackNotRegistered(): MasklineError {
  return new MasklineError('status_callback_not_registered', { details: { field: 'statusCallback' } });
}
