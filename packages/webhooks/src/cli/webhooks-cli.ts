#!/usr/bin/env node
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { isMasklineError } from '@maskline/core';
import { createPgPool } from '@maskline/storage';
import { createKeyProvider, PgVault, vaultConfigShape } from '@maskline/vault';
import { z } from 'zod';
import { EndpointService } from '../endpoints/endpoint-service.js';
import { DeliveryStore } from '../store/delivery-store.js';
import { EndpointStore } from '../store/endpoint-store.js';
import { webhookConfigShape, webhookTargetPolicy } from '../webhook-config.js';
import { runWebhookCommand, UsageError, WEBHOOKS_USAGE } from './webhook-commands.js';

const config = z
  .object({ DATABASE_URL: z.string().min(1), ...vaultConfigShape, ...webhookConfigShape })
  .safeParse(process.env);
if (!config.success) {
  const fields = config.error.issues.map((i) => i.path.join('.')).join(', ');
  console.error(`invalid configuration: ${fields}\n\n${WEBHOOKS_USAGE}`);
  process.exit(2);
}
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    tenant: { type: 'string' },
    endpoint: { type: 'string' },
    event: { type: 'string' },
    url: { type: 'string' },
    types: { type: 'string' },
    limit: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    'include-delivered': { type: 'boolean' },
    'include-inbound-body': { type: 'boolean' },
    'previous-valid-seconds': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
const [command] = positionals;
if (!command || values.help) {
  console.log(WEBHOOKS_USAGE);
  process.exit(command ? 0 : 2);
}

const pool = createPgPool({
  connectionString: config.data.DATABASE_URL,
  max: 2,
  applicationName: 'maskline-webhooks-cli',
});
const vault = new PgVault({
  pool,
  keyProvider: createKeyProvider(config.data),
  actor: `cli:${userInfo().username}`,
});
const deps = {
  endpoints: new EndpointService(new EndpointStore(pool), vault, webhookTargetPolicy(config.data)),
  deliveries: new DeliveryStore(pool),
};
let code = 0;
try {
  await runWebhookCommand(command, values, deps, (record) => console.log(JSON.stringify(record)));
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`webhooks: ${error.message}\n\n${WEBHOOKS_USAGE}`);
    code = 2;
  } else if (isMasklineError(error)) {
    console.error(`webhooks: ${error.code}: ${error.message}`);
    code = 1;
  } else {
    console.error(`webhooks: ${(error as Error).message}`);
    code = 1;
  }
} finally {
  await pool.end();
}
process.exit(code);
