import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createSecureContext } from 'node:tls';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointAgents } from '../src/dispatch/endpoint-agents.js';
import { postWebhook } from '../src/webhook-post.js';

let server: Server;
let port = 0;
const serverNames: string[] = [];
let requests = 0;

beforeAll(async () => {
  // A certificate no public CA signed, for the endpoint's host name.
  const pems = await generate([{ name: 'commonName', value: 'hooks.test' }], {
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'hooks.test' }] }],
  });
  const context = createSecureContext({ key: pems.private, cert: pems.cert });
  server = createServer({
    key: pems.private,
    cert: pems.cert,
    SNICallback: (name, callback) => {
      serverNames.push(name);
      callback(null, context);
    },
  });
  server.on('request', (_req, res) => {
    requests += 1;
    res.writeHead(204).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('postWebhook over TLS', () => {
  it('connects to the vetted address, names the host in SNI, and refuses a certificate it cannot verify', async () => {
    // `.test` never resolves in DNS: the connection can only come through the pinned lookup.
    const url = new URL(`https://hooks.test:${port}/hook`);
    const target = { url, host: url.hostname, addresses: [{ address: '127.0.0.1', family: 4 as const }] };
    const oneShot = await postWebhook(target, '{}', {}, 2000);
    const agents = new EndpointAgents();
    const kept = await postWebhook(target, '{}', {}, 2000, agents.for('endpoint-1', target, 1));
    agents.close();
    for (const result of [oneShot, kept]) expect(result).toMatchObject({ status: null, errorClass: 'tls' });
    expect(serverNames).toEqual(['hooks.test', 'hooks.test']);
    expect(requests).toBe(0);
  });
});
