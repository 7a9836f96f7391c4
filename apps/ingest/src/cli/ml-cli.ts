#!/usr/bin/env node
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { isMasklineError, systemClock } from '@maskline/core';
import {
  ApiKeyRepository,
  createPgPool,
  TenantRepository,
  UserRepository,
  VerificationBlockRepository,
} from '@maskline/storage';
import { createKeyProvider, PgVault, vaultConfigShape } from '@maskline/vault';
import { z } from 'zod';
import { CredentialDigests } from '../users/credentials.js';
import { UserService } from '../users/user-service.js';
import { VerificationBlocks } from '../verifications/verification-blocks.js';
import { ML_USAGE, runMlCommand, UsageError } from './ml-commands.js';

const config = z
  .object({ DATABASE_URL: z.string().min(1), API_KEY_PEPPER: z.string().min(16), ...vaultConfigShape })
  .safeParse(process.env);
if (!config.success) {
  const fields = config.error.issues.map((i) => i.path.join('.')).join(', ');
  console.error(`invalid configuration: ${fields}\n\n${ML_USAGE}`);
  process.exit(2);
}
let parsed: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      tenant: { type: 'string' },
      scopes: { type: 'string' },
      test: { type: 'boolean' },
      'expires-in-days': { type: 'string' },
      id: { type: 'string' },
      email: { type: 'string' },
      role: { type: 'string' },
      cidrs: { type: 'string' },
      clear: { type: 'boolean' },
      'cert-sha256': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
try {
  parsed = parse();
} catch (error) {
  console.error(`ml: ${(error as Error).message}\n\n${ML_USAGE}`);
  process.exit(2);
}
const { positionals, values } = parsed;
const [group, action] = positionals;
if (!group || values.help) {
  console.log(ML_USAGE);
  process.exit(group ? 0 : 2);
}

const pool = createPgPool({
  connectionString: config.data.DATABASE_URL,
  max: 2,
  applicationName: 'maskline-ml-cli',
});
const actor = `cli:${userInfo().username}`;
const audit = new PgVault({ pool, keyProvider: createKeyProvider(config.data), actor });
let code = 0;
try {
  await runMlCommand(
    group,
    action,
    values,
    {
      tenants: new TenantRepository(pool),
      blocks: new VerificationBlocks(new VerificationBlockRepository(pool), audit),
      keys: new ApiKeyRepository(pool, config.data.API_KEY_PEPPER),
      users: new UserService(
        new UserRepository(pool),
        new CredentialDigests(config.data.API_KEY_PEPPER),
        audit,
        audit,
      ),
      audit,
      clock: systemClock,
      actor,
    },
    (record) => console.log(JSON.stringify(record)),
  );
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`ml: ${error.message}\n\n${ML_USAGE}`);
    code = 2;
  } else if (isMasklineError(error)) {
    console.error(`ml: ${error.code}: ${error.message}`);
    code = 1;
  } else {
    console.error(`ml: ${(error as Error).message}`);
    code = 1;
  }
} finally {
  await pool.end();
}
process.exit(code);
