import { readFileSync } from 'node:fs';
import { apiKeyDocs } from '../api-keys/api-key-docs.js';
import { maskingDocs } from '../masking/masking-docs.js';
import { messageDocs } from '../messages/message-docs.js';
import { numberDocs } from '../numbers/number-docs.js';
import { revealGrantDocs } from '../reveal/reveal-grant-docs.js';
import { routingDocs } from '../routing/routing-docs.js';
import { userDocs } from '../users/user-docs.js';
import { verificationDocs } from '../verifications/verification-docs.js';
import { webhookDocs } from '../webhooks/webhook-docs.js';
import { buildOpenApi } from './build-openapi.js';
import { object, type RouteGroupDoc } from './operation-doc.js';

/** GET /v1/openapi.json itself: public, as an API description usually is. */
const openApiDocs: RouteGroupDoc = {
  operations: [
    {
      method: 'GET',
      path: '/v1/openapi.json',
      operationId: 'getOpenApi',
      summary: 'This OpenAPI 3.1 document (no API key needed)',
      tag: 'Meta',
      public: true,
      responses: {
        200: {
          description: 'The document.',
          schema: {
            ...object({ openapi: { type: 'string' }, info: { type: 'object' }, paths: { type: 'object' } }),
          },
        },
      },
      errors: [],
    },
  ],
};

/** Every route group's description: a route registered under /v1 must appear here (a test checks). */
export const ROUTE_GROUP_DOCS: readonly RouteGroupDoc[] = [
  messageDocs,
  maskingDocs,
  verificationDocs,
  webhookDocs,
  numberDocs,
  routingDocs,
  apiKeyDocs,
  userDocs,
  revealGrantDocs,
  openApiDocs,
];

function packageVersion(): string {
  // src/openapi/ and dist/openapi/ both sit two levels under the package.
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

/** The ingest API's OpenAPI 3.1 document. */
export function ingestOpenApi(): Record<string, unknown> {
  return buildOpenApi(ROUTE_GROUP_DOCS, packageVersion());
}
