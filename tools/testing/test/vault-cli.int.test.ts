import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '@maskline/local-infra';
import { MessageRepository } from '@maskline/storage';
import { LocalKeyring } from '@maskline/vault';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { seedTenant, testMessage } from '../src/seed.js';
import { createTestDatabase, type TestDatabase } from '../src/test-database.js';

const run = promisify(execFile);
const CLI = join(REPO_ROOT, 'packages/vault/dist/cli/vault-cli.js');

/** The operator's vault CLI (`npm run vault`, `npm run audit -- verify`), from its build. */
describe('the vault CLI', () => {
  let db: TestDatabase;
  let env: NodeJS.ProcessEnv;
  let tenantId: string;
  let keyringPath: string;

  async function cli(
    ...args: string[]
  ): Promise<{ code: number; lines: Record<string, unknown>[]; stderr: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env });
      return { code: 0, lines: parse(stdout), stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, lines: parse(e.stdout), stderr: e.stderr };
    }
  }
  const parse = (stdout: string) =>
    stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    const dir = mkdtempSync(join(tmpdir(), 'vault-cli-'));
    keyringPath = join(dir, 'keyring.json');
    writeFileSync(keyringPath, db.keyring.toJson(), { mode: 0o600 });
    env = { PATH: process.env.PATH, DATABASE_URL: db.url, VAULT_KEYRING_PATH: keyringPath };
    ({ tenantId } = await seedTenant(db.pool));
    const messages = new MessageRepository(db.pool, db.vault);
    await messages.insertManyAccepted([1, 2, 3].map((i) => testMessage(tenantId, { body: `cli body ${i}` })));
  });
  afterAll(async () => {
    await db.drop();
  });

  it('rotates a tenant key, re-encrypts with progress, destroys the retired key, and shows status', async () => {
    const rotated = await cli('rotate', '--tenant', tenantId, '--activate-after-ms', '0');
    expect(rotated.code).toBe(0);
    expect(rotated.lines[0]).toMatchObject({ msg: 'data key rotated', version: 2 });
    const re = await cli('reencrypt', '--batch', '2');
    expect(re.code).toBe(0);
    expect(
      re.lines.filter((l) => l.msg === 'progress' && l.tenantId === tenantId).map((l) => l.done),
    ).toEqual([0, 2, 3]);
    expect(re.lines.at(-1)).toMatchObject({ msg: 're-encryption done', rows: 3 });
    expect((await cli('destroy-retired')).lines).toEqual([
      expect.objectContaining({ tenantId, versions: [1] }),
    ]);
    const status = await cli('status', '--tenant', tenantId);
    expect(
      status.lines.filter((l) => l.purpose === 'data').map((l) => [l.version, l.state, l.values]),
    ).toEqual([
      [1, 'destroyed', 0],
      [2, 'active', 3],
    ]);
    const opened = await new MessageRepository(db.pool, db.vault).loadManyForDelivery(
      (await db.pool.query<{ id: string }>('SELECT id FROM messages')).rows.map((r) => r.id),
    );
    expect(opened.map((r) => r?.content?.body).sort()).toEqual(['cli body 1', 'cli body 2', 'cli body 3']);
  });

  it('rotates the key-encryption key and re-wraps every stored key', async () => {
    const result = await cli('rotate-kek');
    expect(result.code).toBe(0);
    expect(result.lines[0]).toMatchObject({ kekId: 'local:kek-2' });
    const keks = await db.pool.query('SELECT DISTINCT kek_id FROM tenant_keys WHERE wrapped_key IS NOT NULL');
    expect(keks.rows.map((r) => r.kek_id)).toEqual(['local:kek-2']);
  });

  it('lists KEKs, and destroys one only when it is not current and no key uses it (audited)', async () => {
    const listed = await cli('list-keks');
    expect(listed.lines).toEqual([
      expect.objectContaining({ kekId: 'local:kek-1', current: false, keys: 0, held: true }),
      expect.objectContaining({ kekId: 'local:kek-2', current: true, rotationPending: false }),
    ]);
    expect(listed.lines[1]!.keys).toBeGreaterThanOrEqual(4);
    expect((await cli('destroy-kek', '--kek', 'local:kek-1')).code).toBe(2);
    const current = await cli('destroy-kek', '--kek', 'local:kek-2', '--yes');
    expect(current).toMatchObject({ code: 1, lines: [expect.objectContaining({ reason: 'kek_current' })] });

    // A key still wrapped under kek-1 (a rotation not finished yet) keeps it.
    const [row] = (
      await db.pool.query('SELECT tenant_id, purpose, version FROM tenant_keys WHERE wrapped_key IS NOT NULL')
    ).rows;
    const stored = (await db.vault.keys.load(row.tenant_id)).find(
      (k) => k.purpose === row.purpose && k.version === row.version,
    )!;
    const clear = await LocalKeyring.openOrCreate(keyringPath).unwrap({
      kekId: stored.kekId,
      wrapped: stored.wrapped!,
    });
    const oldWrapping = await db.keyring.wrap(clear);
    await db.vault.keys.replaceWrapping(stored, oldWrapping.kekId, oldWrapping.wrapped);
    const inUse = await cli('destroy-kek', '--kek', 'local:kek-1', '--yes');
    expect(inUse).toMatchObject({
      code: 1,
      lines: [expect.objectContaining({ reason: 'kek_in_use', keys: 1 })],
    });
    expect((await cli('rotate-kek')).lines.at(-1)).toMatchObject({
      kekId: 'local:kek-3',
      rewrapped: listed.lines[1]!.keys, // every key, the one moved back to kek-1 included
    });

    for (const kek of ['local:kek-1', 'local:kek-2']) {
      expect((await cli('destroy-kek', '--kek', kek, '--yes')).lines[0]).toMatchObject({
        msg: 'key-encryption key destroyed',
        kekId: kek,
      });
    }
    expect((await cli('list-keks')).lines).toEqual([
      expect.objectContaining({ kekId: 'local:kek-3', current: true }),
    ]);
    expect((await cli('destroy-kek', '--kek', 'local:kek-1', '--yes')).lines[0]).toMatchObject({
      reason: 'kek_unknown',
    });
    const audited = await db.vault.audit.list({ action: 'kek.destroyed' });
    expect(audited.map((e) => e.subject).sort()).toEqual(['local:kek-1', 'local:kek-2']);
  });

  it('refuses to shred without --yes, and explains usage errors', async () => {
    const refused = await cli('shred', '--tenant', tenantId);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--yes');
    expect((await cli('no-such-command')).code).toBe(2);
  });

  it('grants and revokes reveals for an API key, audited, with bounded duration', async () => {
    const keyId = (await db.pool.query('SELECT id FROM api_keys WHERE tenant_id = $1', [tenantId])).rows[0]
      .id;
    expect((await cli('grant-reveal', '--api-key', keyId, '--minutes', '600', '--reason', 'x')).code).toBe(2);
    const granted = await cli('grant-reveal', '--api-key', keyId, '--minutes', '15', '--reason', 'ticket 7');
    expect(granted.code).toBe(0);
    const grantId = granted.lines[0]!.grantId as string;
    expect(granted.lines[0]).toMatchObject({ msg: 'reveal granted', tenantId });
    const audited = await db.vault.audit.list({ action: 'reveal.granted' });
    expect(audited[0]).toMatchObject({
      tenantId,
      subject: `api_key:${keyId}`,
      details: { grantId, minutes: 15 },
    });
    expect((await cli('revoke-reveal', '--grant', grantId)).code).toBe(0);
    expect((await cli('revoke-reveal', '--grant', grantId)).code).toBe(1);
  });

  it('sets a retention policy and purges by it', async () => {
    expect((await cli('retention', 'set', '--tenant', tenantId, '--body-days', '0')).code).toBe(2);
    const set = await cli('retention', 'set', '--tenant', tenantId, '--body-days', '1');
    expect(set.lines[0]).toMatchObject({
      msg: 'retention policy set',
      bodyDays: 1,
      mappingDays: null,
      metadataDays: null,
    });
    await db.pool.query(`UPDATE messages SET status = 'delivered', created_at = now() - interval '2 days'`);
    const purged = await cli('retention', 'purge');
    expect(purged.lines).toEqual([expect.objectContaining({ msg: 'purged', tenantId, bodiesAnonymised: 3 })]);
    const left = await db.pool.query('SELECT count(*)::int AS n FROM messages WHERE body_sealed IS NOT NULL');
    expect(left.rows[0].n).toBe(0);
  });

  it('audit verify passes on an intact log and names the tampered entry otherwise', async () => {
    const metricsFile = join(mkdtempSync(join(tmpdir(), 'audit-metrics-')), 'maskline_audit.prom');
    const intact = await cli('audit', 'verify', '--metrics-file', metricsFile);
    expect(intact.code).toBe(0);
    expect(readFileSync(metricsFile, 'utf8')).toMatch(/^maskline_audit_chain_ok 1$/m);
    const summary = intact.lines.at(-1) as { msg: string; head: { seq: number; hash: string } };
    expect(summary.msg).toBe('audit log intact');
    expect(summary.head.seq).toBeGreaterThanOrEqual(4);

    await db.pool.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update');
    await db.pool.query(`UPDATE audit_log SET details = '{"forged": true}' WHERE seq = 2`);
    await db.pool.query('DELETE FROM audit_log WHERE seq = $1', [summary.head.seq]);
    await db.pool.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update');
    const tampered = await cli(
      'audit',
      'verify',
      '--expect-head',
      `${summary.head.seq}:${summary.head.hash}`,
      '--metrics-file',
      metricsFile,
    );
    expect(tampered.code).toBe(1);
    // What the MasklineAuditChainBroken alert reads (docs/observability/alerts.yml).
    const metrics = readFileSync(metricsFile, 'utf8');
    expect(metrics).toMatch(/^maskline_audit_chain_ok 0$/m);
    const verifiedAt = Number(/^maskline_audit_verify_timestamp_seconds (\d+)$/m.exec(metrics)?.[1]);
    expect(Math.abs(verifiedAt - Date.now() / 1000)).toBeLessThan(60);
    expect(tampered.lines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ msg: 'audit problem', seq: 2, problem: 'altered' }),
        expect.objectContaining({ msg: 'audit head differs (entries at the end were removed?)' }),
        expect.objectContaining({ msg: 'audit log TAMPERED' }),
      ]),
    );
  });
});
