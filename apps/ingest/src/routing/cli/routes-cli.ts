#!/usr/bin/env node
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { isMasklineError } from '@maskline/core';
import { createPgPool, RoutingRepository } from '@maskline/storage';
import { createKeyProvider, PgVault, vaultConfigShape } from '@maskline/vault';
import { z } from 'zod';
import { ROUTES_USAGE, runRouteCommand, UsageError } from './route-commands.js';

const config = z.object({ DATABASE_URL: z.string().min(1), ...vaultConfigShape }).safeParse(process.env);
if (!config.success) {
  const fields = config.error.issues.map((i) => i.path.join('.')).join(', ');
  console.error(`invalid configuration: ${fields}\n\n${ROUTES_USAGE}`);
  process.exit(2);
}
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    tenant: { type: 'string' },
    carrier: { type: 'string' },
    route: { type: 'string' },
    prefix: { type: 'string' },
    country: { type: 'string' },
    kind: { type: 'string' },
    'sender-type': { type: 'string' },
    priority: { type: 'string' },
    weight: { type: 'string' },
    strategy: { type: 'string' },
    disabled: { type: 'boolean' },
    'price-micros': { type: 'string' },
    currency: { type: 'string' },
    regions: { type: 'string' },
    clear: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
const [command, ...args] = positionals;
if (!command || values.help) {
  console.log(ROUTES_USAGE);
  process.exit(command ? 0 : 2);
}

const pool = createPgPool({
  connectionString: config.data.DATABASE_URL,
  max: 2,
  applicationName: 'maskline-routes-cli',
});
const actor = `cli:${userInfo().username}`;
const audit = new PgVault({ pool, keyProvider: createKeyProvider(config.data), actor });
let code = 0;
try {
  await runRouteCommand(
    command,
    args,
    values,
    { repository: new RoutingRepository(pool), audit, actor },
    (record) => console.log(JSON.stringify(record)),
  );
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`routes: ${error.message}\n\n${ROUTES_USAGE}`);
    code = 2;
  } else if (isMasklineError(error)) {
    console.error(`routes: ${error.code}: ${error.message}`);
    code = 1;
  } else {
    console.error(`routes: ${(error as Error).message}`);
    code = 1;
  }
} finally {
  await pool.end();
}
process.exit(code);
