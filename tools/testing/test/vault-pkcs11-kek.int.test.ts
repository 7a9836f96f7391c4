import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '@maskline/local-infra';
import { openPkcs11Session, Pkcs11KeyProvider, type Pkcs11Session } from '@maskline/vault';
import pkcs11js from 'pkcs11js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AppProcess } from '../src/index.js';
import { TEST_PEPPER } from '../src/seed.js';
import { initSoftHsm, SOFTHSM_LIBRARY, type SoftHsm } from '../src/softhsm.js';
import { createTestDatabase, type TestDatabase, uniqueQueuePrefix } from '../src/test-database.js';

const run = promisify(execFile);
const CLI = join(REPO_ROOT, 'packages/vault/dist/cli/vault-cli.js');
const TOKEN = 'maskline-kek-test';
const PIN = '1234';

/** create-kek, the refusal of extractable KEKs, start errors and token loss, on SoftHSM2. */
describe('the PKCS#11 KEK: created protected, checked at start, watched while running', () => {
  let hsm: SoftHsm;
  let db: TestDatabase;
  let session: Pkcs11Session;
  const options = (keyLabel: string) => ({ library: SOFTHSM_LIBRARY, tokenLabel: TOKEN, pin: PIN, keyLabel });
  const pkcs11Env = (keyLabel: string) => ({
    VAULT_KEY_PROVIDER: 'pkcs11',
    PKCS11_LIBRARY: SOFTHSM_LIBRARY,
    PKCS11_TOKEN_LABEL: TOKEN,
    PKCS11_PIN: PIN,
    PKCS11_KEY_LABEL: keyLabel,
    ...hsm.env,
  });

  async function cli(env: Record<string, string>, ...args: string[]) {
    try {
      const { stdout } = await run(process.execPath, [CLI, ...args], {
        env: { PATH: process.env.PATH, DATABASE_URL: db.url, ...env },
      });
      return { code: 0, out: JSON.parse(stdout.trim()) as Record<string, unknown>, stderr: '' };
    } catch (error) {
      const e = error as { code: number; stderr: string };
      return { code: e.code, out: {}, stderr: e.stderr };
    }
  }

  /** A key made the careless way, with attributes that let its value out. */
  function leakyKey(label: string, sensitive: boolean, extractable: boolean): void {
    session.module.C_GenerateKey(session.session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
      { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
      { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
      { type: pkcs11js.CKA_LABEL, value: label },
      { type: pkcs11js.CKA_TOKEN, value: true },
      { type: pkcs11js.CKA_SENSITIVE, value: sensitive },
      { type: pkcs11js.CKA_EXTRACTABLE, value: extractable },
      { type: pkcs11js.CKA_ENCRYPT, value: true },
      { type: pkcs11js.CKA_DECRYPT, value: true },
    ]);
  }

  beforeAll(async () => {
    hsm = initSoftHsm(TOKEN, PIN);
    process.env.SOFTHSM2_CONF = hsm.conf;
    db = await createTestDatabase(inject('postgresUrl'));
    session = openPkcs11Session(options('unused'));
  }, 300_000);
  afterAll(async () => {
    session?.close();
    await db?.drop();
  });

  it('npm run vault -- create-kek creates a sensitive, non-extractable token key, once', async () => {
    const first = await cli(pkcs11Env('kek-main'), 'create-kek');
    expect(first).toMatchObject({
      code: 0,
      out: { msg: 'key-encryption key created', kekId: 'pkcs11:kek-main', created: true },
    });
    const again = await cli(pkcs11Env('kek-main'), 'create-kek');
    expect(again.out).toMatchObject({ msg: 'key-encryption key exists', created: false });

    session.module.C_FindObjectsInit(session.session, [{ type: pkcs11js.CKA_LABEL, value: 'kek-main' }]);
    const handles: Buffer[] = [];
    for (
      let h = session.module.C_FindObjects(session.session);
      h;
      h = session.module.C_FindObjects(session.session)
    )
      handles.push(h);
    session.module.C_FindObjectsFinal(session.session);
    expect(handles).toHaveLength(1);
    const attributes = session.module.C_GetAttributeValue(session.session, handles[0]!, [
      { type: pkcs11js.CKA_SENSITIVE },
      { type: pkcs11js.CKA_EXTRACTABLE },
      { type: pkcs11js.CKA_TOKEN },
      { type: pkcs11js.CKA_KEY_TYPE },
      { type: pkcs11js.CKA_ID },
    ]);
    expect(attributes.map((a) => (a.value as Buffer).toString('hex'))).toEqual([
      '01',
      '00',
      '01',
      Buffer.from([pkcs11js.CKK_AES, 0, 0, 0, 0, 0, 0, 0]).toString('hex'),
      Buffer.from('kek-main').toString('hex'),
    ]);

    const provider = Pkcs11KeyProvider.open(options('kek-main'));
    const wrapped = await provider.wrap(Buffer.alloc(32, 7));
    expect((await provider.unwrap(wrapped)).equals(Buffer.alloc(32, 7))).toBe(true);
    await provider.checkHealth();
    await provider.close();
  });

  it('refuses at start a KEK whose attributes allow extraction, and says which', async () => {
    leakyKey('kek-extractable', true, true);
    leakyKey('kek-readable', false, false);
    expect(() => Pkcs11KeyProvider.open(options('kek-extractable'))).toThrow(
      expect.objectContaining({
        code: 'config_invalid',
        message: expect.stringMatching(/CKA_EXTRACTABLE is true/),
      }),
    );
    expect(() => Pkcs11KeyProvider.open(options('kek-readable'))).toThrow(
      /kek-readable .*CKA_SENSITIVE is false/,
    );
    const refused = await cli(pkcs11Env('kek-extractable'), 'create-kek');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/kek-extractable on PKCS#11 token maskline-kek-test allows extraction/);
  });

  it('names what is missing when it cannot start: the token label, the KEK label and slot, the module path', () => {
    expect(() => Pkcs11KeyProvider.open({ ...options('kek-main'), tokenLabel: 'gone-token' })).toThrow(
      /No PKCS#11 token labelled gone-token is present \(module \/usr\/lib\/softhsm\/libsofthsm2\.so; tokens present: maskline-kek-test\)/,
    );
    expect(() => Pkcs11KeyProvider.open(options('no-such-kek'))).toThrow(
      /No KEK labelled no-such-kek on PKCS#11 token maskline-kek-test \(slot \d+, module \/usr\/lib\/softhsm\/libsofthsm2\.so\)/,
    );
    expect(() =>
      Pkcs11KeyProvider.open({ ...options('kek-main'), library: '/nonexistent/libpkcs11.so' }),
    ).toThrow(/PKCS#11 module \/nonexistent\/libpkcs11\.so could not be loaded/);
  });

  it('a running ingest reports the lost token on /ready, and a restart names the missing token', async () => {
    const env = {
      DATABASE_URL: db.appUrl,
      REDIS_URL: inject('redisUrl'),
      QUEUE_PREFIX: uniqueQueuePrefix(),
      LOG_LEVEL: 'info',
      PORT: '0',
      API_KEY_PEPPER: TEST_PEPPER,
      CARRIERS: JSON.stringify([{ id: 'sim', plugin: 'smpp' }]),
      ...pkcs11Env('kek-main'),
    };
    const ingest = new AppProcess('ingest', env);
    await ingest.start(/ingest listening/);
    try {
      const url = /"address":"([^"]+)"/.exec(
        ingest.lines.find((l) => l.includes('ingest listening')) ?? '',
      )![1];
      const ready = async () => {
        const response = await fetch(`${url}/ready`);
        return {
          status: response.status,
          body: (await response.json()) as { checks: Record<string, string> },
        };
      };
      expect(await ready()).toMatchObject({ status: 200, body: { checks: { keyProvider: 'ok' } } });

      hsm.deleteToken(TOKEN);
      // The check is cached for a few seconds: poll until it notices.
      const deadline = Date.now() + 15_000;
      let state = await ready();
      while (state.status === 200 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        state = await ready();
      }
      expect(state).toMatchObject({
        status: 503,
        body: { checks: { keyProvider: 'unavailable', postgres: 'ok', redis: 'ok' } },
      });
      // The answer and the log line come from the same check; the line may reach us a moment later.
      const warned = () => ingest.lines.find((l) => l.includes('key provider not ready'));
      for (const until = Date.now() + 5_000; !warned() && Date.now() < until; ) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(warned()).toMatch(/PKCS#11 token maskline-kek-test is not present/);
    } finally {
      await ingest.stop();
    }
    const restart = new AppProcess('ingest', env);
    await expect(restart.start(/ingest listening/)).rejects.toThrow(
      /No PKCS#11 token labelled maskline-kek-test is present \(module \/usr\/lib\/softhsm\/libsofthsm2\.so/,
    );
  });
});
