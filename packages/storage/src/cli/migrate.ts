#!/usr/bin/env node
import { migrate } from '../migrations/migrator.js';
import { createPgPool } from '../pg-pool.js';

/** `npm run migrate`: applies pending migrations to DATABASE_URL. */
const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL is not set');
  process.exit(2);
}
const pool = createPgPool({ connectionString: url, max: 1, applicationName: 'maskline-migrate' });
try {
  const result = await migrate(pool);
  console.log(JSON.stringify({ msg: 'migrations applied', applied: result.applied }));
} catch (error) {
  console.error(`migration failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await pool.end();
}
