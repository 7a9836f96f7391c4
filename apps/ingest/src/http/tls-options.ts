import { readFileSync } from 'node:fs';
import type { ServerOptions } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { MasklineError } from '@maskline/core';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

/**
 * HTTPS and optional mutual TLS of the ingest (docs/reference/configuration.md, "TLS and
 * mutual TLS"). Unset: plain HTTP, for a TLS-terminating proxy in front.
 */
export const tlsConfigShape = {
  /** PEM certificate chain the ingest serves HTTPS with (with TLS_KEY_FILE). */
  TLS_CERT_FILE: z.string().min(1).optional(),
  /** PEM private key of TLS_CERT_FILE. */
  TLS_KEY_FILE: z.string().min(1).optional(),
  /** PEM CA certificate(s) client certificates must chain to: mutual TLS. */
  TLS_CLIENT_CA_FILE: z.string().min(1).optional(),
  /** 1 (default): no verified client certificate, no TLS session. 0: optional, but one presented must verify. */
  TLS_CLIENT_CERT_REQUIRED: z
    .enum(['0', '1'])
    .default('1')
    .transform((v) => v === '1'),
};

export interface TlsSettings {
  TLS_CERT_FILE?: string | undefined;
  TLS_KEY_FILE?: string | undefined;
  TLS_CLIENT_CA_FILE?: string | undefined;
  TLS_CLIENT_CERT_REQUIRED: boolean;
}

/** What buildIngestApp takes: node's HTTPS server options, and whether clients are checked. */
export interface IngestTls {
  options: ServerOptions;
  /** A client CA is configured: client certificates are requested and checked against it. */
  clientCa: boolean;
}

function invalid(message: string): MasklineError {
  return new MasklineError('config_invalid', { message: `Invalid ingest configuration: ${message}` });
}

/**
 * The HTTPS options from TLS_* (files read once, at boot), or null for plain HTTP. A
 * setting without its partner, or an unreadable file, stops the boot naming the variable
 * (never the file's content).
 */
export function ingestTlsOf(
  settings: TlsSettings,
  read: (path: string) => Buffer = (path) => readFileSync(path),
): IngestTls | null {
  const { TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile, TLS_CLIENT_CA_FILE: caFile } = settings;
  if (!certFile && !keyFile) {
    if (caFile) throw invalid('TLS_CLIENT_CA_FILE: mutual TLS needs TLS_CERT_FILE and TLS_KEY_FILE.');
    return null;
  }
  if (!certFile || !keyFile) throw invalid('TLS_CERT_FILE and TLS_KEY_FILE: set both or neither.');
  const load = (variable: string, path: string): Buffer => {
    try {
      return read(path);
    } catch {
      throw invalid(`${variable}: the file cannot be read.`);
    }
  };
  const options: ServerOptions = {
    cert: load('TLS_CERT_FILE', certFile),
    key: load('TLS_KEY_FILE', keyFile),
    minVersion: 'TLSv1.2',
  };
  if (!caFile) return { options, clientCa: false };
  return {
    options: {
      ...options,
      ca: load('TLS_CLIENT_CA_FILE', caFile),
      requestCert: true,
      rejectUnauthorized: settings.TLS_CLIENT_CERT_REQUIRED,
    },
    clientCa: true,
  };
}

/**
 * With an optional client certificate (TLS_CLIENT_CERT_REQUIRED=0) the handshake admits
 * any certificate; a request over a connection whose presented certificate did not verify
 * against TLS_CLIENT_CA_FILE is refused here, before authentication (401
 * client_certificate_invalid). No certificate at all passes to the API key check.
 */
export function refuseUnverifiedClientCertificates(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const socket = request.raw.socket as TLSSocket;
    if (typeof socket.getPeerCertificate !== 'function' || socket.authorized) return;
    const peer = socket.getPeerCertificate();
    if (peer && Object.keys(peer).length > 0) throw new MasklineError('client_certificate_invalid');
  });
}
