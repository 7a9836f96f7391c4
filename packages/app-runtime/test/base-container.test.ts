import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, TOKENS } from '@maskline/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { closeBaseContainer, createBaseContainer } from '../src/base-container.js';
import { type CommonConfig, commonConfigShape } from '../src/common-config.js';

function config(keyringPath: string): CommonConfig {
  return z.object(commonConfigShape).parse({
    // Nothing listens here: the container must not need either to be built and closed.
    DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
    REDIS_URL: 'redis://127.0.0.1:1',
    VAULT_KEYRING_PATH: keyringPath,
  });
}

describe('the base container', () => {
  it('opens the vault’s key provider only when the vault is used, and closes what it opened', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'base-container-'));
    const unused = createBaseContainer({
      service: 'test',
      config: config(join(dir, 'a', 'keyring.json')),
      redisRole: 'producer',
      logger: silentLogger,
    });
    await closeBaseContainer(unused);
    expect(existsSync(join(dir, 'a', 'keyring.json'))).toBe(false);

    const used = createBaseContainer({
      service: 'test',
      config: config(join(dir, 'b', 'keyring.json')),
      redisRole: 'producer',
      logger: silentLogger,
    });
    expect(used.resolve(TOKENS.Vault)).toBe(used.resolve(TOKENS.Vault));
    expect(existsSync(join(dir, 'b', 'keyring.json'))).toBe(true);
    await closeBaseContainer(used);
  });
});
