/// <reference types="@maskline/smpp-types" preserve="true" />
import smpp, { type Session } from 'smpp';
import type { SmppConfig } from '../types.js';

export interface OpenedSession {
  session: Session;
  /** The event after which the link can carry PDUs: TCP connected, or TLS handshake done. */
  readyEvent: 'connect' | 'secureConnect';
}

/**
 * Open the TCP (or TLS) connection to the SMSC. The smpp package passes these options
 * straight to net.connect / tls.connect. With TLS it emits 'connect' before the handshake
 * and 'secureConnect' after it; the bind must wait for the latter.
 */
export function openSession(config: SmppConfig): OpenedSession {
  const { host, port, tls, tlsCa, tlsRejectUnauthorized } = config;
  if (!tls) return { session: smpp.connect({ host, port }), readyEvent: 'connect' };
  const session = smpp.connect({
    host,
    port,
    tls: true,
    rejectUnauthorized: tlsRejectUnauthorized,
    ...(tlsCa === undefined ? {} : { ca: tlsCa }),
  });
  return { session, readyEvent: 'secureConnect' };
}
