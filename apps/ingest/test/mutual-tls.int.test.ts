import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestTlsOf } from '../src/http/tls-options.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { makeTestPki, type TestPki } from './support/test-certificates.js';

interface Answer {
  status: number;
  body: string;
}

/** GET (or `send`) over real HTTPS, trusting the test CA for the server, with an optional client certificate. */
function get(
  port: number,
  pki: TestPki,
  apiKey: string,
  client?: { cert: string; key: string },
  send?: { method: string; path: string; body: unknown },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: send?.path ?? '/v1/messages',
        method: send?.method ?? 'GET',
        ca: readFileSync(pki.caCert),
        ...(client ? { cert: readFileSync(client.cert), key: readFileSync(client.key) } : {}),
        headers: {
          authorization: `Bearer ${apiKey}`,
          ...(send ? { 'content-type': 'application/json' } : {}),
        },
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(send ? JSON.stringify(send.body) : undefined);
  });
}

async function listen(t: TestApp): Promise<number> {
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  return (t.app.server.address() as AddressInfo).port;
}

/** The real app over HTTPS with the test PKI's server certificate (and client CA, unless `clientCa` is false). */
async function startTlsApp(
  pki: TestPki,
  clientCertRequired: boolean,
  clientCa = true,
): Promise<{ t: TestApp; port: number }> {
  const tls = ingestTlsOf({
    TLS_CERT_FILE: pki.serverCert,
    TLS_KEY_FILE: pki.serverKey,
    ...(clientCa ? { TLS_CLIENT_CA_FILE: pki.caCert } : {}),
    TLS_CLIENT_CERT_REQUIRED: clientCertRequired,
  });
  const t = await startTestApp({ rateLimitPerMinute: 100_000, ...(tls ? { tls } : {}) });
  return { t, port: await listen(t) };
}

/** HTTPS and mutual TLS of the real app over real sockets (certificates made with openssl). */
describe('mutual TLS', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = makeTestPki();
  });
  afterAll(() => {
    pki.remove();
  });

  describe('client certificate required (TLS_CLIENT_CERT_REQUIRED=1)', () => {
    let t: TestApp;
    let port: number;
    beforeAll(async () => {
      ({ t, port } = await startTlsApp(pki, true));
    });
    afterAll(async () => {
      await t.close();
    });

    it('serves a client with a certificate from the client CA', async () => {
      const answer = await get(port, pki, t.apiKey, { cert: pki.clientCert, key: pki.clientKey });
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toHaveProperty('data');
    });

    it('refuses a client without a certificate in the TLS handshake (no HTTP answer)', async () => {
      await expect(get(port, pki, t.apiKey)).rejects.toThrow(/certificate|socket hang up|ECONNRESET/i);
    });

    it('refuses a certificate from another CA in the TLS handshake', async () => {
      await expect(
        get(port, pki, t.apiKey, { cert: pki.strangerCert, key: pki.strangerKey }),
      ).rejects.toThrow(/certificate|unknown ca|socket hang up|ECONNRESET/i);
    });

    it('a key bound to a certificate works with that one only; rebinding is audited; no self-lockout', async () => {
      const client = { cert: pki.clientCert, key: pki.clientKey };
      const other = { cert: pki.otherClientCert, key: pki.otherClientKey };
      const sha256 = new X509Certificate(readFileSync(pki.clientCert)).fingerprint256;
      const created = await get(port, pki, t.apiKey, client, {
        method: 'POST',
        path: '/v1/api-keys',
        body: {
          name: 'partner one',
          scopes: ['messages:read', 'keys:manage'],
          clientCertificateSha256: sha256,
        },
      });
      expect(created.status, created.body).toBe(201);
      const bound = JSON.parse(created.body);
      expect(bound.clientCertificateSha256).toBe(sha256.replaceAll(':', '').toLowerCase());

      expect((await get(port, pki, bound.key, client)).status).toBe(200);
      const wrong = await get(port, pki, bound.key, other);
      expect(wrong.status).toBe(403);
      expect(JSON.parse(wrong.body).error.code).toBe('client_certificate_mismatch');
      // Over a connection without TLS (inject) there is no certificate at all.
      const plain = await t.app.inject({
        method: 'GET',
        url: '/v1/messages',
        headers: { authorization: `Bearer ${bound.key}` },
      });
      expect(plain.statusCode).toBe(403);

      // The key cannot bind itself to a certificate it is not calling with.
      const otherSha = new X509Certificate(readFileSync(pki.otherClientCert)).fingerprint256;
      const lockout = await get(port, pki, bound.key, client, {
        method: 'PATCH',
        path: `/v1/api-keys/${bound.id}`,
        body: { clientCertificateSha256: otherSha },
      });
      expect(lockout.status).toBe(409);
      expect(JSON.parse(lockout.body).error.code).toBe('api_key_self_lockout');

      const bad = await get(port, pki, t.apiKey, client, {
        method: 'PATCH',
        path: `/v1/api-keys/${bound.id}`,
        body: { clientCertificateSha256: 'abc' },
      });
      expect(bad.status).toBe(400);
      expect(JSON.parse(bad.body).error).toMatchObject({
        code: 'invalid_request',
        details: { field: 'clientCertificateSha256' },
      });

      const rebound = await get(port, pki, t.apiKey, client, {
        method: 'PATCH',
        path: `/v1/api-keys/${bound.id}`,
        body: { clientCertificateSha256: otherSha },
      });
      expect(rebound.status, rebound.body).toBe(200);
      expect((await get(port, pki, bound.key, other)).status).toBe(200);
      expect((await get(port, pki, bound.key, client)).status).toBe(403);

      const audit = await t.db.pool.query(
        "SELECT actor, details FROM audit_log WHERE action = 'api_key.certificate_changed' AND subject = $1",
        [`api_key:${bound.id}`],
      );
      expect(audit.rows).toEqual([
        {
          actor: expect.stringMatching(/^api_key:/),
          details: {
            before: sha256.replaceAll(':', '').toLowerCase(),
            after: otherSha.replaceAll(':', '').toLowerCase(),
          },
        },
      ]);
    });

    it('still needs the API key: the certificate is not a credential on its own', async () => {
      const answer = await get(port, pki, 'ml_live_not-a-key', { cert: pki.clientCert, key: pki.clientKey });
      expect(answer.status).toBe(401);
    });
  });

  describe('client certificate optional (TLS_CLIENT_CERT_REQUIRED=0)', () => {
    let t: TestApp;
    let port: number;
    beforeAll(async () => {
      ({ t, port } = await startTlsApp(pki, false));
    });
    afterAll(async () => {
      await t.close();
    });

    it('serves a verified certificate and no certificate; refuses one from another CA with 401', async () => {
      expect((await get(port, pki, t.apiKey, { cert: pki.clientCert, key: pki.clientKey })).status).toBe(200);
      expect((await get(port, pki, t.apiKey)).status).toBe(200);
      const stranger = await get(port, pki, t.apiKey, { cert: pki.strangerCert, key: pki.strangerKey });
      expect(stranger.status).toBe(401);
      expect(JSON.parse(stranger.body)).toEqual({
        error: { code: 'client_certificate_invalid', message: expect.any(String) },
      });
    });
  });

  describe('server TLS only (no client CA)', () => {
    let t: TestApp;
    let port: number;
    beforeAll(async () => {
      ({ t, port } = await startTlsApp(pki, true, false));
    });
    afterAll(async () => {
      await t.close();
    });

    it('serves HTTPS without asking for a client certificate', async () => {
      expect((await get(port, pki, t.apiKey)).status).toBe(200);
      expect((await get(port, pki, t.apiKey, { cert: pki.strangerCert, key: pki.strangerKey })).status).toBe(
        200,
      );
    });
  });
});
