import type { TLSSocket } from 'node:tls';
import { MasklineError } from '@maskline/core';
import type { FastifyRequest } from 'fastify';

const FINGERPRINT = /^(?:[0-9a-f]{64}|[0-9a-f]{2}(?::[0-9a-f]{2}){31})$/i;

/**
 * A certificate's SHA-256 fingerprint as the API and the CLI take it: 64 hex digits, with
 * or without colons (`openssl x509 -noout -fingerprint -sha256` prints the latter), or null
 * (no binding). Returned as 64 lower-case hex digits.
 */
export function parseCertificateSha256(input: unknown, field = 'clientCertificateSha256'): string | null {
  if (input === null) return null;
  if (typeof input !== 'string' || !FINGERPRINT.test(input.trim())) {
    throw new MasklineError('invalid_request', {
      message: `${field} must be a SHA-256 certificate fingerprint (64 hex digits, colons allowed) or null.`,
      details: { field },
    });
  }
  return input.trim().replaceAll(':', '').toLowerCase();
}

const seen = new WeakMap<object, string | null>();

/**
 * The SHA-256 (hex) of the client certificate the request's TLS connection presented and
 * the server verified against TLS_CLIENT_CA_FILE; null over plain HTTP, without a
 * certificate, or with one that did not verify. Read once per connection.
 */
export function verifiedClientCertificateSha256(request: FastifyRequest): string | null {
  const socket = request.raw.socket as TLSSocket | undefined;
  if (!socket || typeof socket.getPeerCertificate !== 'function') return null;
  const known = seen.get(socket);
  if (known !== undefined) return known;
  const fingerprint = socket.authorized ? socket.getPeerCertificate().fingerprint256 : undefined;
  const sha256 = fingerprint ? fingerprint.replaceAll(':', '').toLowerCase() : null;
  seen.set(socket, sha256);
  return sha256;
}
