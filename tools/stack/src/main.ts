#!/usr/bin/env node
/**
 * `npm start`: the whole Maskline stack on this machine, on its embedded defaults.
 * Installs Redis and PostgreSQL from Debian packages when missing, runs them under the
 * project's .maskline/ data directory on loopback, migrates, starts the SMSC simulator
 * as the default carrier and the three apps, seeds a demo tenant and API key, and prints
 * a curl to try. Ctrl-C stops everything it started.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AppName,
  AppProcess,
  ensureInfraBinaries,
  startPostgres,
  startRedis,
} from '@maskline/local-infra';
import { startSmscSimulator } from '@maskline/smsc-sim';
import {
  ApiKeyRepository,
  createPgPool,
  ensureAppLoginRole,
  migrate,
  TenantRepository,
  withUser,
} from '@maskline/storage';
import { loadOrCreateSecrets, loadStackConfig } from './stack-config.js';
import { checkStackKeyProvider, stackVaultEnv } from './stack-vault.js';

/** The login role the apps connect as (member of maskline_app). */
const APP_LOGIN_ROLE = 'maskline_apps';

const say = (line: string) => console.log(`[maskline] ${line}`);

async function main(): Promise<void> {
  const config = loadStackConfig();
  const { secrets, save } = loadOrCreateSecrets(config.dataDir);
  const logDir = join(config.dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const stops: (() => Promise<void>)[] = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    for (const stop of stops.reverse()) await stop().catch(() => {});
    say('stopped');
    process.exit(code);
  };
  // Ctrl-C reaches the whole foreground process group. PostgreSQL and Redis run in groups of
  // their own (ownProcessGroup), so they keep serving while the apps drain, and are stopped
  // last; a closed terminal (SIGHUP) stops everything the same way.
  process.once('SIGINT', () => void stopAll(0));
  process.once('SIGTERM', () => void stopAll(0));
  process.once('SIGHUP', () => void stopAll(0));

  try {
    const binaries = ensureInfraBinaries(say);
    say(`starting Redis on 127.0.0.1:${config.redisPort} and PostgreSQL on 127.0.0.1:${config.postgresPort}`);
    const redis = await startRedis({
      redisServer: binaries.redisServer,
      dataDir: join(config.dataDir, 'redis'),
      port: config.redisPort,
      persistent: true,
      ownProcessGroup: true,
    });
    stops.push(() => redis.stop());
    const postgres = await startPostgres({
      binDir: binaries.postgresBinDir,
      dataDir: join(config.dataDir, 'postgres'),
      port: config.postgresPort,
      ownProcessGroup: true,
    });
    stops.push(() => postgres.stop());

    const pool = createPgPool({ connectionString: postgres.url, max: 2, applicationName: 'maskline-stack' });
    const migrated = await migrate(pool);
    if (migrated.applied.length > 0) say(`migrations applied: ${migrated.applied.join(', ')}`);
    // The apps connect as a member of maskline_app: no UPDATE/DELETE on the audit log.
    await ensureAppLoginRole(pool, APP_LOGIN_ROLE);
    const apiKeys = new ApiKeyRepository(pool, secrets.apiKeyPepper);
    // A live key: the local stack's one carrier is the simulator anyway, and an ml_test_
    // (sandbox) key may not use masking, webhooks or the management routes. A data folder
    // from before the sandbox holds a test demo key: it gets a live one beside it.
    const demo = secrets.demoApiKey ? await apiKeys.authenticate(secrets.demoApiKey) : null;
    if (!demo || demo.environment === 'test') {
      const tenantId = demo?.tenantId ?? (await new TenantRepository(pool).create('demo'));
      const { apiKey } = await apiKeys.create(tenantId, 'demo key', 'live');
      Object.assign(secrets, { demoApiKey: apiKey, demoTenantId: tenantId });
      save(secrets);
      say(
        demo
          ? 'made a live demo API key (the sandbox keeps test keys apart)'
          : 'seeded a demo tenant and API key',
      );
    }
    await pool.end();

    // The key provider comes from the environment like the apps' (default: the local keyring).
    const vaultEnv = stackVaultEnv(process.env, config.dataDir);
    say(
      `key-encryption key: ${await checkStackKeyProvider(vaultEnv)} (VAULT_KEY_PROVIDER=${vaultEnv.VAULT_KEY_PROVIDER})`,
    );

    const sim = await startSmscSimulator({
      host: '127.0.0.1',
      smppPort: config.smppPort,
      controlPort: config.simControlPort,
    });
    stops.push(() => sim.close());
    say(`SMSC simulator: SMPP on 127.0.0.1:${sim.smppPort}, control API on 127.0.0.1:${sim.controlPort}`);

    const common = {
      DATABASE_URL: withUser(postgres.url, APP_LOGIN_ROLE),
      REDIS_URL: redis.url,
      QUEUE_PREFIX: 'ml',
      ...vaultEnv,
      WEBHOOK_ALLOW_LOOPBACK: config.webhookAllowLoopback,
      ...(config.otlpEndpoint ? { OTEL_EXPORTER_OTLP_ENDPOINT: config.otlpEndpoint } : {}),
      // The trace sampler's standard variables, passed through as given (docs/observability.md).
      ...Object.fromEntries(
        ['OTEL_TRACES_SAMPLER', 'OTEL_TRACES_SAMPLER_ARG']
          .filter((name) => process.env[name])
          .map((name) => [name, process.env[name]!]),
      ),
    };
    if (config.webhookAllowLoopback === '1') {
      say('webhooks may target loopback addresses (local stack; WEBHOOK_ALLOW_LOOPBACK=0 to refuse)');
    }
    // The default carrier, inline (a deployment lists its carriers in a CARRIERS_FILE). The
    // bind password is a secret: the worker reads it from SIM_SMPP_PASSWORD, never config.
    const carriers = JSON.stringify([
      {
        id: 'sim',
        plugin: 'smpp',
        // The simulator: also the sandbox carrier of ml_test_ keys (docs/guides/sandbox.md).
        sandbox: true,
        secrets: { password: { env: 'SIM_SMPP_PASSWORD' } },
        config: { host: '127.0.0.1', port: sim.smppPort, systemId: 'maskline' },
      },
    ]);
    const apps: [AppName, Record<string, string>, RegExp][] = [
      ['receipt-processor', common, /receipt processor running/],
      [
        'delivery-worker',
        { ...common, CARRIERS: carriers, SIM_SMPP_PASSWORD: 'secret' },
        /delivery worker running/,
      ],
      [
        'ingest',
        {
          ...common,
          CARRIERS: carriers,
          PORT: String(config.ingestPort),
          API_KEY_PEPPER: secrets.apiKeyPepper,
          IDEMPOTENCY_KEY_SECRET: secrets.idempotencyKeySecret,
          ...(secrets.verificationCodeSecret
            ? { VERIFICATION_CODE_SECRET: secrets.verificationCodeSecret }
            : {}),
        },
        /ingest listening/,
      ],
    ];
    for (const [name, env, ready] of apps) {
      const log = createWriteStream(join(logDir, `${name}.log`), { flags: 'a' });
      const app = new AppProcess(name, env, (line) => log.write(`${line}\n`));
      await app.start(ready);
      stops.push(async () => {
        await app.stop();
        log.end();
      });
      say(`${name} started (log: ${join(logDir, `${name}.log`)})`);
    }

    const base = `http://127.0.0.1:${config.ingestPort}`;
    say('ready. Send a message, then look it up (status goes queued → submitted → delivered):');
    console.log(`
  curl -s ${base}/v1/messages \\
    -H 'authorization: Bearer ${secrets.demoApiKey}' -H 'content-type: application/json' \\
    -d '{"to":"+14155550123","from":"Maskline","body":"Hello from Maskline"}' | tee /tmp/maskline-last.json

  curl -s ${base}/v1/messages/$(sed -E 's/.*"id":"([^"]+)".*/\\1/' /tmp/maskline-last.json) \\
    -H 'authorization: Bearer ${secrets.demoApiKey}'

Press Ctrl-C to stop everything.`);
  } catch (error) {
    console.error(`[maskline] failed to start: ${(error as Error).message}`);
    await stopAll(1);
  }
}

await main();
