/**
 * The one error catalogue. Every stable code Maskline returns or records is defined here,
 * once, with its HTTP status, a client-safe message and its retry class. Codes are
 * documented in docs/reference/errors.md; a test fails when the two drift.
 * A retired code is never reused: mark it `retired: true` instead of deleting it.
 *
 * Retry classes:
 *  - permanent:   retrying the same request cannot succeed.
 *  - retry_after: the peer asked us to slow down; retry after a delay.
 *  - transient:   a passing fault; retry with backoff.
 */
export type RetryClass = 'permanent' | 'retry_after' | 'transient';

export interface ErrorDefinition {
  readonly status: number;
  readonly message: string;
  readonly retry: RetryClass;
  readonly retired?: boolean;
}

export const ERROR_CATALOGUE = {
  // Requests
  invalid_request: { status: 400, message: 'The request is malformed.', retry: 'permanent' },
  invalid_phone_number: {
    status: 400,
    message: 'A phone number is not a valid, dialable E.164 number.',
    retry: 'permanent',
  },
  message_body_invalid: {
    status: 400,
    message: 'The message body is empty or longer than allowed.',
    retry: 'permanent',
  },
  unsupported_media_type: {
    status: 415,
    message: 'Send the request body as application/json.',
    retry: 'permanent',
  },
  payload_too_large: { status: 413, message: 'The request body is too large.', retry: 'permanent' },
  unauthorized: { status: 401, message: 'A valid API key is required.', retry: 'permanent' },
  forbidden: { status: 403, message: 'The API key may not do this.', retry: 'permanent' },
  admin_role_required: {
    status: 403,
    message: 'This needs a signed-in user of role owner or admin (an API key cannot open it).',
    retry: 'permanent',
  },
  reveal_not_granted: {
    status: 403,
    message: 'Showing real numbers needs a reveal grant in force for the caller.',
    retry: 'permanent',
  },
  reveal_grant_not_found: { status: 404, message: 'No such reveal grant.', retry: 'permanent' },
  reveal_grant_not_pending: {
    status: 409,
    message: 'The reveal request is not pending: it was decided, revoked or lapsed.',
    retry: 'permanent',
  },
  reveal_four_eyes: {
    status: 403,
    message: 'A reveal request is approved by another person: a signed-in user other than the requester.',
    retry: 'permanent',
  },
  not_found: { status: 404, message: 'No such resource.', retry: 'permanent' },
  method_not_allowed: {
    status: 405,
    message: 'This path does not accept this method; the Allow header lists those it does.',
    retry: 'permanent',
  },
  uri_too_long: {
    status: 414,
    message: 'The URL, or a part of its path, is too long.',
    retry: 'permanent',
  },
  message_not_found: { status: 404, message: 'No message with this id.', retry: 'permanent' },
  idempotency_conflict: {
    status: 409,
    message: 'This Idempotency-Key was already used with a different request.',
    retry: 'permanent',
  },
  no_route: {
    status: 422,
    message: 'No configured route can deliver this message.',
    retry: 'permanent',
  },
  route_residency_violation: {
    status: 422,
    message: "Every route for this message leaves your tenant's allowed data-residency regions.",
    retry: 'permanent',
  },
  route_not_found: { status: 404, message: 'No route with this id.', retry: 'permanent' },
  api_key_not_found: { status: 404, message: 'No API key with this id.', retry: 'permanent' },
  tenant_not_found: { status: 404, message: 'No tenant with this id.', retry: 'permanent' },
  api_key_self_revoke: {
    status: 409,
    message: 'An API key cannot revoke itself: revoke it with another key of the tenant or with the CLI.',
    retry: 'permanent',
  },
  sandbox_unsupported: {
    status: 403,
    message: 'A sandbox (ml_test_) key cannot use this: it holds or shows real numbers.',
    retry: 'permanent',
  },
  sandbox_unavailable: {
    status: 503,
    message: 'This gateway has no sandbox carrier configured (SANDBOX_CARRIER).',
    retry: 'permanent',
  },
  api_key_self_lockout: {
    status: 409,
    message:
      'An API key cannot set its own IP allowlist to leave out the address it calls from: include it, or change the list with another key or the CLI.',
    retry: 'permanent',
  },
  client_certificate_invalid: {
    status: 401,
    message: 'The TLS client certificate is not signed by a certificate authority this server trusts.',
    retry: 'permanent',
  },
  client_certificate_mismatch: {
    status: 403,
    message: 'This API key is bound to a TLS client certificate, and the request did not come with it.',
    retry: 'permanent',
  },
  ip_not_allowed: {
    status: 403,
    message: "This API key is not allowed from the request's client address (the key's IP allowlist).",
    retry: 'permanent',
  },
  invalid_cidr: {
    status: 400,
    message: 'An IP allowlist entry is not a valid IPv4 or IPv6 CIDR.',
    retry: 'permanent',
  },
  invalid_credentials: {
    status: 401,
    message: 'The email, password or sign-in token is not right.',
    retry: 'permanent',
  },
  mfa_code_invalid: {
    status: 401,
    message: 'The authenticator code or recovery code is not right (or was already used).',
    retry: 'permanent',
  },
  user_locked: {
    status: 423,
    message: 'Too many failed sign-ins: this user is locked for a while.',
    retry: 'retry_after',
  },
  user_not_found: { status: 404, message: 'No user with this id.', retry: 'permanent' },
  user_exists: { status: 409, message: 'A user with this email already exists.', retry: 'permanent' },
  user_role_not_allowed: {
    status: 403,
    message: 'Only an owner may make or disable an owner, and nobody may disable themselves.',
    retry: 'permanent',
  },
  password_too_weak: {
    status: 400,
    message: 'The password must have 12 to 256 characters.',
    retry: 'permanent',
  },
  rate_limited: { status: 429, message: 'Too many requests; retry later.', retry: 'retry_after' },
  auth_rate_limited: {
    status: 429,
    message: 'Too many failed authentications from this address; retry later.',
    retry: 'retry_after',
  },
  // Service
  internal_error: { status: 500, message: 'An internal error occurred.', retry: 'transient' },
  service_unavailable: {
    status: 503,
    message: 'The service is temporarily unavailable.',
    retry: 'transient',
  },
  config_invalid: { status: 500, message: 'The configuration is invalid.', retry: 'permanent' },
  // Carriers
  carrier_not_configured: {
    status: 500,
    message: 'No carrier is configured for this message.',
    retry: 'permanent',
  },
  carrier_unavailable: { status: 503, message: 'The carrier link is not available.', retry: 'transient' },
  carrier_timeout: { status: 504, message: 'The carrier did not answer in time.', retry: 'transient' },
  carrier_throttled: { status: 503, message: 'The carrier asked us to slow down.', retry: 'retry_after' },
  carrier_rejected: { status: 502, message: 'The carrier rejected the message.', retry: 'permanent' },
  carrier_invalid_destination: {
    status: 502,
    message: 'The carrier rejected the destination number.',
    retry: 'permanent',
  },
  carrier_error: { status: 502, message: 'The carrier reported a temporary error.', retry: 'transient' },
  carrier_callback_unverified: {
    status: 401,
    message: 'The carrier callback is not signed as the carrier signs, or is too old.',
    retry: 'permanent',
  },
  // Delivery outcomes recorded on messages
  delivery_failed: { status: 502, message: 'The carrier could not deliver the message.', retry: 'permanent' },
  delivery_expired: { status: 502, message: 'The message expired before delivery.', retry: 'permanent' },
  receipt_timeout: {
    status: 504,
    message: 'No final receipt came from the carrier before the message validity and grace ended.',
    retry: 'permanent',
  },
  retries_exhausted: {
    status: 502,
    message: 'The message could not be submitted after every retry.',
    retry: 'permanent',
  },
  // Internal pipeline
  receipt_unmatched: {
    status: 500,
    message: 'A receipt names a carrier message id not known (yet).',
    retry: 'transient',
  },
  plugin_failure: { status: 500, message: 'A carrier plugin failed unexpectedly.', retry: 'transient' },
  // Masking
  pool_exhausted: {
    status: 503,
    message: 'No virtual number matching the constraints is available.',
    retry: 'transient',
  },
  masking_session_not_found: { status: 404, message: 'No masking session with this id.', retry: 'permanent' },
  inbound_message_not_found: {
    status: 404,
    message: 'No inbound message of a verification session with this id.',
    retry: 'permanent',
  },
  masking_session_closed: {
    status: 409,
    message: 'The masking session was released or has expired.',
    retry: 'permanent',
  },
  masking_participants_invalid: {
    status: 409,
    message: 'The participants do not fit the session.',
    retry: 'permanent',
  },
  virtual_number_exists: {
    status: 409,
    message: 'The virtual number is already in a pool.',
    retry: 'permanent',
  },
  virtual_number_not_found: { status: 404, message: 'No virtual number with this id.', retry: 'permanent' },
  virtual_number_in_use: {
    status: 409,
    message: 'The virtual number serves an active masking session.',
    retry: 'permanent',
  },
  // Tenant-owned numbers
  number_already_registered: {
    status: 409,
    message: 'This number is already registered.',
    retry: 'permanent',
  },
  number_in_masking_pool: {
    status: 409,
    message: 'This number is in the masking pool; the pool routes its inbound messages.',
    retry: 'permanent',
  },
  number_not_found: { status: 404, message: 'No registered number with this id.', retry: 'permanent' },
  // Verifications
  verification_not_found: { status: 404, message: 'No verification with this id.', retry: 'permanent' },
  verification_block_not_found: {
    status: 404,
    message: 'No verification range block with this id.',
    retry: 'permanent',
  },
  verification_template_invalid: {
    status: 400,
    message: 'The verification template is invalid or its message is longer than allowed.',
    retry: 'permanent',
  },
  verification_code_incorrect: {
    status: 422,
    message: 'The code is not correct.',
    retry: 'permanent',
  },
  verification_expired: {
    status: 410,
    message: 'The verification has expired; start a new one.',
    retry: 'permanent',
  },
  verification_locked: {
    status: 423,
    message: 'Too many incorrect codes: the verification is locked; start a new one.',
    retry: 'permanent',
  },
  verification_already_used: {
    status: 409,
    message: 'The verification was already approved; a code is valid once.',
    retry: 'permanent',
  },
  verification_resend_too_soon: {
    status: 429,
    message: 'The code was sent moments ago; retry the resend after the cool-down.',
    retry: 'retry_after',
  },
  verification_send_limit_reached: {
    status: 409,
    message: 'The code was already sent the most times allowed; start a new verification.',
    retry: 'permanent',
  },
  verification_rate_limited: {
    status: 429,
    message: 'Too many verifications for this number or tenant; retry later.',
    retry: 'retry_after',
  },
  verification_range_blocked: {
    status: 403,
    message:
      'Verifications to this number range are blocked: too few of its codes were checked (suspected SMS pumping).',
    retry: 'permanent',
  },
  // Webhooks
  invalid_webhook_url: {
    status: 400,
    message: 'The webhook URL is not allowed: use http(s), an allowed port and no credentials.',
    retry: 'permanent',
  },
  invalid_webhook_event_type: {
    status: 400,
    message: 'An event type is not one Maskline sends.',
    retry: 'permanent',
  },
  status_callback_not_registered: {
    status: 400,
    message: 'The statusCallback URL lies under none of your enabled webhook endpoints.',
    retry: 'permanent',
  },
  webhook_not_found: { status: 404, message: 'No webhook endpoint with this id.', retry: 'permanent' },
  webhook_event_not_found: {
    status: 404,
    message: 'No event with this id was sent to this webhook endpoint.',
    retry: 'permanent',
  },
  invalid_time_range: {
    status: 400,
    message:
      'The time range is invalid: ISO 8601 times, from before to, from not in the future, at most 31 days.',
    retry: 'permanent',
  },
  // Vault
  vault_unavailable: {
    status: 500,
    message: 'A key needed to read this data is not available.',
    retry: 'permanent',
  },
  tenant_keys_destroyed: {
    status: 410,
    message: "This tenant's keys were destroyed; its data can no longer be sealed or read.",
    retry: 'permanent',
  },
  vault_integrity: {
    status: 500,
    message: 'Stored encrypted data failed its integrity check.',
    retry: 'permanent',
  },
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CATALOGUE, value);
}

export function errorDefinition(code: ErrorCode): ErrorDefinition {
  return ERROR_CATALOGUE[code];
}
