import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@maskline/local-infra';

/** Ports and paths of the local stack; each can be moved with an environment variable. */
export interface StackConfig {
  dataDir: string;
  redisPort: number;
  postgresPort: number;
  ingestPort: number;
  smppPort: number;
  simControlPort: number;
  otlpEndpoint: string | undefined;
  /**
   * WEBHOOK_ALLOW_LOOPBACK for the apps: '1' unless the environment says otherwise, so a
   * developer's receiver on localhost can take the local stack's webhooks (a production
   * deployment leaves it off; see docs/webhooks.md).
   */
  webhookAllowLoopback: '0' | '1';
}

function port(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value <= 0 || value > 65_535) throw new Error(`${name} must be a TCP port`);
  return value;
}

export function loadStackConfig(): StackConfig {
  return {
    dataDir: process.env.MASKLINE_DATA_DIR ?? join(REPO_ROOT, '.maskline'),
    redisPort: port('MASKLINE_REDIS_PORT', 16379),
    postgresPort: port('MASKLINE_POSTGRES_PORT', 15432),
    ingestPort: port('MASKLINE_INGEST_PORT', 8080),
    smppPort: port('MASKLINE_SMPP_PORT', 2775),
    simControlPort: port('MASKLINE_SIM_CONTROL_PORT', 2776),
    otlpEndpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT,
    webhookAllowLoopback: process.env.WEBHOOK_ALLOW_LOOPBACK === '0' ? '0' : '1',
  };
}

export interface StackSecrets {
  apiKeyPepper: string;
  /** The ingest's IDEMPOTENCY_KEY_SECRET: a secret of its own, never the pepper. */
  idempotencyKeySecret: string;
  /** VERIFICATION_CODE_SECRET of the local ingest (added to an older secrets file on start). */
  verificationCodeSecret: string;
  demoApiKey?: string;
  demoTenantId?: string;
}

/** Local secrets, created on first start with owner-only permissions. Never committed. */
export function loadOrCreateSecrets(dataDir: string): { secrets: StackSecrets; save(s: StackSecrets): void } {
  mkdirSync(dataDir, { recursive: true });
  // PostgreSQL runs as its own user (when we are root) and must traverse this folder; the
  // secrets inside are protected by their own modes (0600 files, 0700 secrets/).
  chmodSync(dataDir, 0o755);
  const file = join(dataDir, 'secrets.json');
  const save = (s: StackSecrets) => {
    writeFileSync(file, `${JSON.stringify(s, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  };
  if (existsSync(file)) {
    const secrets = JSON.parse(readFileSync(file, 'utf8')) as Partial<StackSecrets> & {
      apiKeyPepper: string;
    };
    // A data folder from before a secret existed gets it now (kept after).
    if (secrets.idempotencyKeySecret && secrets.verificationCodeSecret) {
      return { secrets: secrets as StackSecrets, save };
    }
    const upgraded: StackSecrets = {
      ...secrets,
      idempotencyKeySecret: secrets.idempotencyKeySecret ?? randomBytes(32).toString('base64url'),
      verificationCodeSecret: secrets.verificationCodeSecret ?? randomBytes(32).toString('base64url'),
    };
    save(upgraded);
    return { secrets: upgraded, save };
  }
  const secrets: StackSecrets = {
    apiKeyPepper: randomBytes(32).toString('base64url'),
    idempotencyKeySecret: randomBytes(32).toString('base64url'),
    verificationCodeSecret: randomBytes(32).toString('base64url'),
  };
  save(secrets);
  return { secrets, save };
}
