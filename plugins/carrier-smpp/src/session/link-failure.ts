/**
 * Why a bind is not bound, in words safe to show any client of the health endpoint: no
 * host, address, port, credentials or error text from the socket, only a fixed phrase (or
 * an SMPP status name).
 */
export type LinkFailure =
  | 'connection refused'
  | 'host not found'
  | 'host unreachable'
  | 'connection reset'
  | 'connect timed out'
  | 'TLS handshake failed'
  | 'connection error'
  | 'no bind response'
  | 'bind failed'
  | `bind refused (${string})`
  | 'enquire_link unanswered'
  | 'unbound by the SMSC'
  | 'protocol error'
  | 'link closed';

const BY_SOCKET_CODE: Readonly<Record<string, LinkFailure>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'host unreachable',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  ETIMEDOUT: 'connect timed out',
};

const TLS_CODE = /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|HOSTNAME_MISMATCH)/;

/** The LinkFailure of a socket or TLS error, by its Node.js error code. */
export function socketFailure(error: Error & { code?: unknown }): LinkFailure {
  const code = typeof error.code === 'string' ? error.code : '';
  return BY_SOCKET_CODE[code] ?? (TLS_CODE.test(code) ? 'TLS handshake failed' : 'connection error');
}
