#!/usr/bin/env node
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import {
  createPgPool,
  RetentionPolicyRepository,
  RevealGrantRepository,
  SEALED_TABLES,
} from '@maskline/storage';
import { z } from 'zod';
import { auditedRetentionPurger } from '../audited-retention.js';
import { PgVault } from '../pg-vault.js';
import { LocalKeyring } from '../providers/local-keyring.js';
import { KekRotationRefused, rotateKek } from '../rotation/kek-rotation.js';
import { destroyRetiredKeys, reencrypt, versionsInUse } from '../rotation/reencrypt.js';
import { createKeyProvider, vaultConfigShape } from '../vault-config.js';
import { writeAuditMetricsFile } from './audit-metrics-file.js';
import { createKekCommand } from './create-kek.js';
import { destroyKek, listKeks } from './kek-commands.js';

const USAGE = `Usage: npm run vault -- <command> [options]
  (reads DATABASE_URL, except create-kek, and the VAULT_* / PKCS11_* settings from the environment)

  status [--tenant <id>]              key versions per tenant and how many values each seals
  rotate --tenant <id> [--activate-after-ms <n>]
                                      add a data key version (used after the delay)
  reencrypt [--batch <n>]             move every sealed value onto its tenant's active key
  destroy-retired [--tenant <id>]     destroy data key versions no stored value uses
  shred --tenant <id> --yes           crypto-shred a tenant: destroy all of its keys
  create-kek                          pkcs11: create the KEK PKCS11_KEY_LABEL on the token (AES-256,
                                      sensitive, not extractable); local: create the keyring file
  rotate-kek [--label <new label>] [--batch <n>]
                                      new key-encryption key (pkcs11: a new key label), re-wrap all keys;
                                      a rerun finishes an interrupted rotation
  list-keks                           each KEK: current or not, how many keys it wraps
  destroy-kek --kek <id> --yes        remove a KEK no key uses (refused for the current one)
  grant-reveal --api-key <id> --minutes <1..60> --reason <why>
                                      let one API key see real numbers for a while (audited)
  revoke-reveal --grant <id>          end a reveal grant now
  retention set --tenant <id> [--body-days <n>] [--mapping-days <n>] [--metadata-days <n>]
                                      the tenant's retention policy (a missing value = keep)
  retention purge                     apply every policy now (the receipt processor does it hourly)
  audit verify [--expect-head <seq>:<hash>] [--metrics-file <path>]
                                      re-compute the audit hash chain; exit 1 if anything is off`;

// DATABASE_URL is checked after create-kek, the one command that does not use the database.
const config = z
  .object({ DATABASE_URL: z.string().min(1).optional(), ...vaultConfigShape })
  .safeParse(process.env);
if (!config.success) {
  console.error(
    `invalid configuration: ${config.error.issues.map((i) => i.path.join('.')).join(', ')}\n\n${USAGE}`,
  );
  process.exit(2);
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    tenant: { type: 'string' },
    'activate-after-ms': { type: 'string' },
    batch: { type: 'string' },
    yes: { type: 'boolean' },
    label: { type: 'string' },
    kek: { type: 'string' },
    'expect-head': { type: 'string' },
    'metrics-file': { type: 'string' },
    'api-key': { type: 'string' },
    minutes: { type: 'string' },
    reason: { type: 'string' },
    grant: { type: 'string' },
    'body-days': { type: 'string' },
    'mapping-days': { type: 'string' },
    'metadata-days': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
const [command, sub] = positionals;
if (!command || values.help) {
  console.log(USAGE);
  process.exit(command ? 0 : 2);
}

const out = (record: Record<string, unknown>) => console.log(JSON.stringify(record));
if (command === 'create-kek') {
  // Before anything opens the key provider: the KEK this creates is what opening needs.
  try {
    out(createKekCommand(config.data));
  } catch (error) {
    console.error(`vault: ${(error as Error).message}`);
    process.exit(1);
  }
  process.exit(0);
}
if (!config.data.DATABASE_URL) {
  console.error(`invalid configuration: DATABASE_URL\n\n${USAGE}`);
  process.exit(2);
}
const pool = createPgPool({
  connectionString: config.data.DATABASE_URL,
  max: 2,
  applicationName: 'maskline-vault-cli',
});
const keyProvider = createKeyProvider(config.data);
/** The audit log names the operator who ran the command. */
const operator = `cli:${userInfo().username}`;
const vault = new PgVault({
  pool,
  keyProvider,
  actor: operator,
  cacheTtlMs: config.data.VAULT_CACHE_TTL_MS,
});

async function tenants(): Promise<string[]> {
  if (values.tenant) return [values.tenant];
  const result = await pool.query<{ t: string }>(
    'SELECT DISTINCT tenant_id AS t FROM tenant_keys ORDER BY 1',
  );
  return result.rows.map((r) => r.t);
}

function requireTenant(): string {
  if (!values.tenant) throw new UsageError('--tenant <id> is required');
  return values.tenant;
}

class UsageError extends Error {}

async function run(): Promise<number> {
  switch (command) {
    case 'status':
      for (const tenantId of await tenants()) {
        const keys = await vault.keys.load(tenantId);
        const inUse = await versionsInUse(pool, tenantId, SEALED_TABLES);
        const active = (await vault.forTenant(tenantId)).activeVersion;
        for (const key of keys) {
          out({
            tenantId,
            purpose: key.purpose,
            version: key.version,
            kekId: key.kekId,
            state: !key.wrapped
              ? 'destroyed'
              : key.purpose === 'data' && key.version === active
                ? 'active'
                : 'available',
            activatesAt: key.activatesAt.toISOString(),
            values: key.purpose === 'data' ? (inUse.get(key.version) ?? 0) : undefined,
          });
        }
      }
      return 0;
    case 'rotate': {
      const after = values['activate-after-ms'];
      const version = await vault.rotateDataKey(
        requireTenant(),
        after === undefined ? undefined : Number(after),
      );
      out({ msg: 'data key rotated', tenantId: values.tenant, version });
      return 0;
    }
    case 'reencrypt': {
      const result = await reencrypt(pool, vault, SEALED_TABLES, {
        batchSize: values.batch ? Number(values.batch) : 500,
        onProgress: (p) => out({ msg: 'progress', ...p }),
      });
      await vault.record({
        tenantId: null,
        action: 'key.reencrypted',
        subject: null,
        details: { rows: result.rows },
      });
      out({ msg: 're-encryption done', rows: result.rows });
      return 0;
    }
    case 'destroy-retired':
      for (const tenantId of await tenants()) {
        const destroyed = await destroyRetiredKeys(pool, vault, tenantId, SEALED_TABLES);
        if (destroyed.length > 0) out({ msg: 'destroyed retired data keys', tenantId, versions: destroyed });
      }
      return 0;
    case 'shred': {
      const tenantId = requireTenant();
      if (!values.yes) throw new UsageError('shred destroys data for good: add --yes');
      out({ msg: 'tenant shredded', tenantId, keysDestroyed: await vault.shredTenant(tenantId) });
      return 0;
    }
    case 'rotate-kek': {
      if (keyProvider instanceof LocalKeyring && config.data?.MASKLINE_KEYRING)
        throw new UsageError('rotate-kek needs a keyring file (VAULT_KEYRING_PATH)');
      try {
        const result = await rotateKek(vault, keyProvider, {
          label: values.label,
          batch: values.batch ? Number(values.batch) : undefined,
        });
        out({ msg: 'key-encryption key rotated', ...result });
      } catch (error) {
        if (error instanceof KekRotationRefused) throw new UsageError(error.message);
        throw error;
      }
      return 0;
    }
    case 'list-keks':
      for (const kek of await listKeks(vault, keyProvider)) out({ ...kek });
      return 0;
    case 'destroy-kek': {
      if (!values.kek) throw new UsageError('--kek <id> is required (see list-keks)');
      if (!values.yes) throw new UsageError('destroy-kek removes a key-encryption key for good: add --yes');
      if (keyProvider instanceof LocalKeyring && config.data?.MASKLINE_KEYRING)
        throw new UsageError('destroy-kek needs a keyring file (VAULT_KEYRING_PATH)');
      const outcome = await destroyKek(vault, keyProvider, values.kek);
      out({
        msg: outcome.destroyed ? 'key-encryption key destroyed' : 'refused',
        kekId: values.kek,
        ...outcome,
      });
      return outcome.destroyed ? 0 : 1;
    }
    case 'grant-reveal': {
      const apiKeyId = values['api-key'];
      const minutes = Number(values.minutes);
      const reason = values.reason?.trim();
      if (!apiKeyId || !reason || !Number.isInteger(minutes) || minutes < 1 || minutes > 60) {
        throw new UsageError('grant-reveal needs --api-key <id>, --minutes <1..60> and --reason <why>');
      }
      const grant = await new RevealGrantRepository(pool).create(
        apiKeyId,
        reason,
        operator,
        minutes * 60_000,
      );
      if (!grant) throw new UsageError(`no active API key ${apiKeyId}`);
      await vault.record({
        tenantId: grant.tenantId,
        action: 'reveal.granted',
        subject: `api_key:${apiKeyId}`,
        details: { grantId: grant.id, minutes, reason },
      });
      out({
        msg: 'reveal granted',
        grantId: grant.id,
        tenantId: grant.tenantId,
        expiresAt: grant.expiresAt.toISOString(),
      });
      return 0;
    }
    case 'revoke-reveal': {
      if (!values.grant) throw new UsageError('--grant <id> is required');
      const revoked = await new RevealGrantRepository(pool).revoke(values.grant);
      if (revoked)
        await vault.record({
          tenantId: null,
          action: 'reveal.revoked',
          subject: `grant:${values.grant}`,
          details: {},
        });
      out({ msg: revoked ? 'reveal grant revoked' : 'no active grant with that id', grantId: values.grant });
      return revoked ? 0 : 1;
    }
    case 'retention': {
      if (sub === 'set') {
        const days = (name: 'body-days' | 'mapping-days' | 'metadata-days') => {
          const value = values[name];
          if (value === undefined) return null;
          const n = Number(value);
          if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a whole number of days`);
          return n;
        };
        const policy = {
          tenantId: requireTenant(),
          bodyDays: days('body-days'),
          mappingDays: days('mapping-days'),
          metadataDays: days('metadata-days'),
        };
        await new RetentionPolicyRepository(pool).set(policy);
        await vault.record({
          tenantId: policy.tenantId,
          action: 'retention.policy_set',
          subject: null,
          details: { ...policy },
        });
        out({ msg: 'retention policy set', ...policy });
        return 0;
      }
      if (sub === 'purge') {
        const purger = auditedRetentionPurger(pool, vault);
        for (const report of await purger.run()) out({ msg: 'purged', ...report });
        return 0;
      }
      throw new UsageError('retention set | retention purge');
    }
    case 'audit': {
      if (sub !== 'verify') throw new UsageError('audit verify is the only audit command');
      const result = await vault.audit.verify();
      for (const problem of result.problems) out({ msg: 'audit problem', ...problem });
      const expected = values['expect-head'];
      const headOk = !expected || expected === `${result.head.seq}:${result.head.hash}`;
      if (!headOk)
        out({ msg: 'audit head differs (entries at the end were removed?)', expected, head: result.head });
      const metricsFile = values['metrics-file'];
      if (metricsFile) writeAuditMetricsFile(metricsFile, result.ok && headOk, result.checked);
      out({
        msg: result.ok && headOk ? 'audit log intact' : 'audit log TAMPERED',
        checked: result.checked,
        head: result.head,
      });
      return result.ok && headOk ? 0 : 1;
    }
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

try {
  process.exitCode = await run();
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else {
    console.error(`vault: ${(error as Error).message}`);
    process.exitCode = 1;
  }
} finally {
  await vault.close().catch(() => {});
  await pool.end();
}
