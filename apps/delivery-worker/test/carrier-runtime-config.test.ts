import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { smppCarrierPlugin } from '@maskline/carrier-smpp';
import {
  type CarrierPluginDefinition,
  type CarrierSettings,
  carrierSettingsSchema,
  defineCarrierPlugin,
  MasklineError,
  type PluginContext,
  silentLogger,
} from '@maskline/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CarrierRuntime, type CarrierRuntimeDeps } from '../src/carriers/carrier-runtime.js';

const SECRET = 'tok-3141';

/** Records the context create() got; its start() fails, so no worker (nor Redis) is needed. */
function recordingPlugin(contexts: PluginContext[]): CarrierPluginDefinition<unknown> {
  return defineCarrierPlugin({
    id: 'acme',
    version: '0.0.0',
    protocol: 'http',
    configSchema: z.object({ region: z.enum(['eu', 'us']), retries: z.number().int() }),
    capabilities: { deliveryReceipts: false, inbound: false, unicode: true, concatenation: false },
    secrets: { apiToken: { description: 'the Acme API token' } },
    create: (ctx) => {
      contexts.push(ctx);
      return {
        start: async () => {
          throw new MasklineError('carrier_unavailable', { message: 'not in this test' });
        },
        health: () => ({ status: 'down' }),
        close: async () => {},
        submit: async () => {
          throw new Error('unused');
        },
      };
    },
  }) as CarrierPluginDefinition<unknown>;
}

function deps(plugins: Record<string, CarrierPluginDefinition<unknown>>, env: NodeJS.ProcessEnv = {}) {
  return {
    plugins,
    logger: silentLogger,
    submitTimeoutMs: 1_000,
    eventSinkFor: () => ({ publish: async () => {} }),
    lifecycle: { retryMinMs: 60_000 },
    secretsEnv: env,
  } as unknown as CarrierRuntimeDeps;
}

function settings(input: Record<string, unknown>): CarrierSettings {
  return carrierSettingsSchema.parse({ id: 'acme-eu', plugin: 'acme', ...input });
}

function failure(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect((error as MasklineError).code).toBe('config_invalid');
    expect((error as Error).message).not.toContain(SECRET);
    return (error as Error).message;
  }
  throw new Error('expected a config error');
}

describe('CarrierRuntime.create: config and secrets at boot', () => {
  it('hands the plugin the secrets it declares as ctx.secrets', async () => {
    const contexts: PluginContext[] = [];
    const runtime = CarrierRuntime.create(
      settings({ secrets: { apiToken: { env: 'ACME_TOKEN' } }, config: { region: 'eu', retries: 2 } }),
      deps({ acme: recordingPlugin(contexts) }, { ACME_TOKEN: SECRET }),
    );
    await runtime.start();
    await runtime.stop();
    expect(contexts.map((ctx) => ctx.secrets)).toEqual([{ apiToken: SECRET }]);
  });

  it('names the carrier and each config field its plugin refuses', () => {
    const message = failure(() =>
      CarrierRuntime.create(
        settings({ secrets: { apiToken: { env: 'ACME_TOKEN' } }, config: { region: 'mars', retries: 'x' } }),
        deps({ acme: recordingPlugin([]) }, { ACME_TOKEN: SECRET }),
      ),
    );
    expect(message).toMatch(/^carrier "acme-eu": config\.region: .*; config\.retries: .*expected number/);
  });

  it('refuses a declared secret inline, a missing one and an undeclared one, never quoting a value', () => {
    const plugins = { acme: recordingPlugin([]) };
    expect(
      failure(() =>
        CarrierRuntime.create(
          settings({
            secrets: { apiToken: { env: 'ACME_TOKEN' } },
            config: { region: 'eu', retries: 1, apiToken: SECRET },
          }),
          deps(plugins, { ACME_TOKEN: SECRET }),
        ),
      ),
    ).toMatch(/^carrier "acme-eu": config\.apiToken: a secret never sits inline/);
    expect(
      failure(() => CarrierRuntime.create(settings({ config: { region: 'eu', retries: 1 } }), deps(plugins))),
    ).toBe('carrier "acme-eu": secrets.apiToken: missing (the Acme API token)');
    expect(
      failure(() =>
        CarrierRuntime.create(
          settings({
            secrets: { apiToken: { env: 'ACME_TOKEN' }, password: { env: 'ACME_TOKEN' } },
            config: { region: 'eu', retries: 1 },
          }),
          deps(plugins, { ACME_TOKEN: SECRET }),
        ),
      ),
    ).toMatch(/^carrier "acme-eu": secrets\.password: the acme plugin declares no such secret/);
  });

  it('checks the SMPP password secret (length, ASCII) from a file without quoting it', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'smpp-secret-')), 'password');
    writeFileSync(file, `${SECRET}-too-long\n`);
    const message = failure(() =>
      CarrierRuntime.create(
        carrierSettingsSchema.parse({
          id: 'sim',
          plugin: 'smpp',
          secrets: { password: { file } },
          config: { host: '127.0.0.1', systemId: 'maskline' },
        }),
        deps({ smpp: smppCarrierPlugin as CarrierPluginDefinition<unknown> }),
      ),
    );
    expect(message).toBe('carrier "sim": secrets.password: must be at most 8 characters (SMPP 3.4)');
  });
});
