import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CarrierSecretSpec, type CarrierSettings, carrierSettingsSchema } from '@maskline/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { resolveCarrierSecrets } from '../src/carrier-secrets.js';

const SECRET = 'hunter22';
const dir = mkdtempSync(join(tmpdir(), 'carrier-secrets-'));
const secretFile = join(dir, 'password');
writeFileSync(secretFile, `${SECRET}\n`);

const declared: Record<string, CarrierSecretSpec> = {
  password: { description: 'bind password', schema: z.string().max(8) },
  token: { description: 'API token', optional: true },
};

function carrier(settings: Partial<CarrierSettings>): CarrierSettings {
  return carrierSettingsSchema.parse({ id: 'sim', plugin: 'smpp', ...settings });
}

function resolve(settings: Partial<CarrierSettings>, env: NodeJS.ProcessEnv = {}) {
  return resolveCarrierSecrets(carrier(settings), { pluginId: 'smpp', declared, env });
}

function failure(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect((error as { code?: string }).code).toBe('config_invalid');
    const message = (error as Error).message;
    expect(message).not.toContain(SECRET);
    return message;
  }
  throw new Error('expected a config error');
}

describe('resolveCarrierSecrets', () => {
  it('reads a secret from a file (trailing newline dropped) or an environment variable', () => {
    expect(resolve({ secrets: { password: { file: secretFile } } })).toEqual({ password: SECRET });
    expect(
      resolve(
        { secrets: { password: { env: 'SIM_PASSWORD' }, token: { env: 'T' } } },
        { SIM_PASSWORD: SECRET, T: 'tok' },
      ),
    ).toEqual({ password: SECRET, token: 'tok' });
  });

  it('keeps the value exactly but for one trailing newline', () => {
    const path = join(dir, 'spaced');
    writeFileSync(path, ' a b \r\n');
    expect(resolve({ secrets: { password: { file: path } } }).password).toBe(' a b ');
  });

  it('fails naming carrier and secret when a required secret is missing; an optional one may be', () => {
    expect(failure(() => resolve({}))).toBe('carrier "sim": secrets.password: missing (bind password)');
    expect(failure(() => resolve({ secrets: { password: { env: 'NOPE' } } }))).toBe(
      'carrier "sim": secrets.password: environment variable NOPE is not set',
    );
    expect(failure(() => resolve({ secrets: { password: { file: join(dir, 'absent') } } }))).toMatch(
      /^carrier "sim": secrets\.password: cannot read file .*absent \(ENOENT\)$/,
    );
  });

  it('refuses a secret the plugin does not declare', () => {
    const message = failure(() =>
      resolve({ secrets: { password: { file: secretFile }, apiKey: { env: 'K' } } }, { K: SECRET }),
    );
    expect(message).toBe(
      'carrier "sim": secrets.apiKey: the smpp plugin declares no such secret (declared: password, token)',
    );
  });

  it('refuses a declared secret written inline in config, without quoting it', () => {
    const message = failure(() =>
      resolve({ secrets: { password: { file: secretFile } }, config: { host: 'h', password: SECRET } }),
    );
    expect(message).toMatch(/^carrier "sim": config\.password: a secret never sits inline/);
  });

  it("checks the value with the secret's schema, never quoting it", () => {
    const path = join(dir, 'long');
    writeFileSync(path, `${SECRET}-and-more\n`);
    const message = failure(() => resolve({ secrets: { password: { file: path } } }));
    expect(message).toMatch(/^carrier "sim": secrets\.password: .*8/);
    expect(message).not.toContain('and-more');
  });

  it('needs nothing from a plugin that declares no secret', () => {
    expect(resolveCarrierSecrets(carrier({}), { pluginId: 'http', declared: undefined, env: {} })).toEqual(
      {},
    );
  });
});
