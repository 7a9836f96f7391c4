import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { REPO_ROOT } from '@maskline/local-infra';
import { destroyKek, PgVault, Pkcs11KeyProvider } from '@maskline/vault';
import pkcs11js from 'pkcs11js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { initSoftHsm, SOFTHSM_LIBRARY as LIBRARY } from '../src/softhsm.js';
import { createTestDatabase, type TestDatabase } from '../src/test-database.js';

describe('the PKCS#11 key provider against SoftHSM2', () => {
  let provider: Pkcs11KeyProvider;
  let db: TestDatabase;

  beforeAll(async () => {
    process.env.SOFTHSM2_CONF = initSoftHsm('maskline-test').conf;
    provider = Pkcs11KeyProvider.open({
      library: LIBRARY,
      tokenLabel: 'maskline-test',
      pin: '1234',
      keyLabel: 'kek-a',
      createKeyIfMissing: true,
    });
    db = await createTestDatabase(inject('postgresUrl'));
  }, 300_000);
  afterAll(async () => {
    await provider?.close();
    await db?.drop();
  });

  it('wraps and unwraps data keys inside the token', async () => {
    const dataKey = randomBytes(32);
    const wrapped = await provider.wrap(dataKey);
    expect(wrapped.kekId).toBe('pkcs11:kek-a');
    expect(wrapped.wrapped).toHaveLength(12 + 32 + 16);
    expect(wrapped.wrapped.includes(dataKey)).toBe(false);
    expect((await provider.unwrap(wrapped)).equals(dataKey)).toBe(true);
    wrapped.wrapped[15]! ^= 1;
    await expect(provider.unwrap(wrapped)).rejects.toMatchObject({ code: 'vault_integrity' });
    await expect(
      provider.unwrap({ kekId: 'pkcs11:no-such-key', wrapped: wrapped.wrapped }),
    ).rejects.toMatchObject({
      code: 'vault_unavailable',
    });
  });

  it('keeps the KEK sensitive and non-extractable: its value cannot be read out', () => {
    const module = new pkcs11js.PKCS11();
    module.load(LIBRARY);
    // The provider initialized the (process-wide) library already; a second handle shares it.
    expect(() => module.C_Initialize()).toThrow(/ALREADY_INITIALIZED/);
    {
      const slot = module
        .C_GetSlotList(true)
        .find((s) => module.C_GetTokenInfo(s).label.trim() === 'maskline-test')!;
      const session = module.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
      // Login state is per token in PKCS#11: the provider's login covers this session.
      module.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_LABEL, value: 'kek-a' }]);
      const key = module.C_FindObjects(session)!;
      module.C_FindObjectsFinal(session);
      const [sensitive, extractable] = module.C_GetAttributeValue(session, key, [
        { type: pkcs11js.CKA_SENSITIVE },
        { type: pkcs11js.CKA_EXTRACTABLE },
      ]);
      expect(sensitive!.value).toEqual(Buffer.from([1]));
      expect(extractable!.value).toEqual(Buffer.from([0]));
      expect(() => module.C_GetAttributeValue(session, key, [{ type: pkcs11js.CKA_VALUE }])).toThrow(
        /SENSITIVE/,
      );
      module.C_CloseSession(session);
    }
  });

  it('serves the vault, and a KEK rotation re-wraps every tenant key', async () => {
    const vault = new PgVault({ pool: db.pool, keyProvider: provider, actor: 'test' });
    const tenant = '0193c8e4-0000-7000-8000-0000000000c1';
    const sealed = (await vault.forTenant(tenant)).seal(
      { recordId: 'm1', field: 'body' },
      'hello from the HSM',
    );
    expect(provider.rotate('kek-b')).toBe('pkcs11:kek-b');
    expect(await vault.rewrapKeys()).toBe(4); // data + index keys of the tenant and of the system scope (audit chain)
    const kekIds = await db.pool.query('SELECT DISTINCT kek_id FROM tenant_keys');
    expect(kekIds.rows.map((r) => r.kek_id)).toEqual(['pkcs11:kek-b']);
    const fresh = new PgVault({ pool: db.pool, keyProvider: provider, actor: 'test' });
    expect((await fresh.forTenant(tenant)).open({ recordId: 'm1', field: 'body' }, sealed)).toBe(
      'hello from the HSM',
    );
  });

  it('wraps new keys under the KEK another process rotated to, without reopening', async () => {
    // The operator's rotate-kek, in a process of its own with its own session.
    const script = `import { Pkcs11KeyProvider } from '@maskline/vault';
      const p = Pkcs11KeyProvider.open({ library: '${LIBRARY}', tokenLabel: 'maskline-test', pin: '1234', keyLabel: 'kek-a' });
      console.log(p.rotate('kek-c'));
      await p.close();`;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: join(REPO_ROOT, 'tools/testing'),
      env: process.env,
    });
    expect(output.toString().trim()).toBe('pkcs11:kek-c');
    const dataKey = randomBytes(32);
    const wrapped = await provider.wrap(dataKey);
    expect(wrapped.kekId).toBe('pkcs11:kek-c');
    expect(provider.activeKekId()).toBe('pkcs11:kek-c');
    expect((await provider.unwrap(wrapped)).equals(dataKey)).toBe(true);
  });

  it('destroys a KEK in the token only when it is not current and no key uses it', async () => {
    const vault = new PgVault({ pool: db.pool, keyProvider: provider, actor: 'test' });
    const oldWrapping = await db.pool.query<{ kek_id: string; wrapped_key: Buffer }>(
      'SELECT kek_id, wrapped_key FROM tenant_keys LIMIT 1',
    );
    expect(await destroyKek(vault, provider, 'pkcs11:kek-c')).toMatchObject({ reason: 'kek_current' });
    expect(await destroyKek(vault, provider, 'pkcs11:kek-b')).toMatchObject({
      reason: 'kek_in_use',
      keys: 4,
    });
    expect(await vault.rewrapKeys()).toBe(4);
    for (const kek of ['pkcs11:kek-a', 'pkcs11:kek-b']) {
      expect(await destroyKek(vault, provider, kek)).toEqual({ destroyed: true });
    }
    expect(await destroyKek(vault, provider, 'pkcs11:kek-b')).toMatchObject({ reason: 'kek_unknown' });
    const [row] = oldWrapping.rows;
    await expect(provider.unwrap({ kekId: row!.kek_id, wrapped: row!.wrapped_key })).rejects.toMatchObject({
      code: 'vault_unavailable',
    });
    const audited = await vault.audit.list({ action: 'kek.destroyed' });
    expect(audited.map((e) => e.subject)).toEqual(['pkcs11:kek-a', 'pkcs11:kek-b']);
  });
});
