import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { systemClock } from '@maskline/core';
import {
  ApiKeyRepository,
  TenantRepository,
  UserRepository,
  VerificationBlockRepository,
} from '@maskline/storage';
import { createTestDatabase, TEST_PEPPER, type TestDatabase } from '@maskline/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type MlCommandOptions, runMlCommand, UsageError } from '../src/cli/ml-commands.js';
import { CredentialDigests } from '../src/users/credentials.js';
import { UserService } from '../src/users/user-service.js';
import { VerificationBlocks } from '../src/verifications/verification-blocks.js';

const cli = fileURLToPath(new URL('../dist/cli/ml-cli.js', import.meta.url));

describe('npm run ml (tenants and API keys over real PostgreSQL)', () => {
  let db: TestDatabase;
  let keys: ApiKeyRepository;

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    keys = new ApiKeyRepository(db.pool, TEST_PEPPER);
  });
  afterAll(async () => {
    await db.drop();
  });

  async function run(group: string, action: string | undefined, options: MlCommandOptions = {}) {
    const printed: Record<string, unknown>[] = [];
    const deps = {
      tenants: new TenantRepository(db.pool),
      blocks: new VerificationBlocks(new VerificationBlockRepository(db.pool), db.vault),
      keys,
      users: new UserService(
        new UserRepository(db.pool),
        new CredentialDigests(TEST_PEPPER),
        db.vault,
        db.vault,
      ),
      audit: db.vault,
      clock: systemClock,
      actor: 'cli:test',
    };
    await runMlCommand(group, action, options, deps, (r) => printed.push(r as Record<string, unknown>));
    return printed;
  }

  it('creates and lists tenants; creates, lists and revokes keys; all audited as the operator', async () => {
    const [tenant] = await run('tenants', 'create', { name: 'Acme' });
    const tenantId = String(tenant?.id);
    expect((await run('tenants', 'list')).map((t) => t.name)).toContain('Acme');

    const [live] = await run('keys', 'create', {
      tenant: tenantId,
      scopes: 'messages:send, messages:read',
      name: 'backend',
      'expires-in-days': '90',
    });
    expect(String(live?.key)).toMatch(/^ml_live_[A-Za-z0-9_-]{32}$/);
    expect(live).toMatchObject({
      name: 'backend',
      scopes: ['messages:send', 'messages:read'],
      revokedAt: null,
    });
    expect(new Date(String(live?.expiresAt)).getTime() - Date.now()).toBeGreaterThan(89 * 86_400_000);
    expect(await keys.authenticate(String(live?.key))).toMatchObject({
      tenantId,
      scopes: ['messages:send', 'messages:read'],
    });
    const [test] = await run('keys', 'create', { tenant: tenantId, scopes: 'messages:send', test: true });
    expect(String(test?.key)).toMatch(/^ml_test_/);

    const listed = await run('keys', 'list', { tenant: tenantId });
    expect(listed.map((k) => k.id)).toEqual([live?.id, test?.id]);
    expect(JSON.stringify(listed)).not.toContain(String(live?.key));
    expect(listed.every((k) => !('key' in k))).toBe(true);
    expect(listed[0]).toMatchObject({
      prefix: String(live?.key).slice(0, 12),
      lastUsedAt: null,
      revokedAt: null,
    });

    expect(await run('keys', 'revoke', { id: String(live?.id) })).toEqual([
      { id: live?.id, revoked: true, alreadyRevoked: false },
    ]);
    expect(await keys.authenticate(String(live?.key))).toBeNull();
    expect((await run('keys', 'revoke', { id: String(live?.id) }))[0]).toMatchObject({
      alreadyRevoked: true,
    });
    expect((await run('keys', 'list', { tenant: tenantId }))[0]?.revokedAt).not.toBeNull();

    const events = await db.vault.audit.list({ tenantId });
    expect(events.map((e) => [e.action, e.actor])).toEqual([
      ['tenant.created', 'cli:test'],
      ['api_key.created', 'cli:test'],
      ['api_key.created', 'cli:test'],
      ['api_key.revoked', 'cli:test'],
    ]);
    expect(JSON.stringify(events)).not.toContain(String(live?.key));
  });

  it('says what is missing or wrong', async () => {
    const [tenant] = await run('tenants', 'create', { name: 'Other' });
    const tenantId = String(tenant?.id);
    await expect(run('tenants', 'create', {})).rejects.toBeInstanceOf(UsageError);
    await expect(run('keys', 'create', { tenant: tenantId })).rejects.toThrow('--scopes is required');
    await expect(run('keys', 'create', { tenant: tenantId, scopes: 'messages:fly' })).rejects.toMatchObject({
      code: 'invalid_request',
    });
    await expect(
      run('keys', 'create', { tenant: tenantId, scopes: 'messages:send', 'expires-in-days': '0' }),
    ).rejects.toBeInstanceOf(UsageError);
    await expect(
      run('keys', 'create', { tenant: '0190a0b0-0000-7000-8000-000000000000', scopes: 'messages:send' }),
    ).rejects.toMatchObject({ code: 'tenant_not_found' });
    await expect(run('keys', 'revoke', { id: 'nope' })).rejects.toMatchObject({ code: 'api_key_not_found' });
    await expect(run('keys', 'rotate')).rejects.toBeInstanceOf(UsageError);
  });

  it('creates a key with an IP allowlist and replaces or clears it, audited as the operator', async () => {
    const [tenant] = await run('tenants', 'create', { name: 'Partner' });
    const tenantId = String(tenant?.id);
    const [created] = await run('keys', 'create', {
      tenant: tenantId,
      scopes: 'messages:read',
      cidrs: '192.0.2.0/24, 2001:DB8::/32',
    });
    expect(created?.allowedCidrs).toEqual(['192.0.2.0/24', '2001:db8::/32']);
    expect((await keys.authenticate(String(created?.key)))?.allowedCidrs).toEqual([
      '192.0.2.0/24',
      '2001:db8::/32',
    ]);
    const id = String(created?.id);
    expect((await run('keys', 'allowlist', { id, cidrs: '10.0.0.0/8' }))[0]?.allowedCidrs).toEqual([
      '10.0.0.0/8',
    ]);
    expect((await run('keys', 'list', { tenant: tenantId }))[0]?.allowedCidrs).toEqual(['10.0.0.0/8']);
    expect((await run('keys', 'allowlist', { id, clear: true }))[0]?.allowedCidrs).toBeNull();

    await expect(run('keys', 'allowlist', { id, cidrs: '10.0.0.1/8' })).rejects.toMatchObject({
      code: 'invalid_cidr',
      details: { field: '--cidrs', index: 0 },
    });
    await expect(
      run('keys', 'create', { tenant: tenantId, scopes: 'messages:read', cidrs: 'not-a-cidr' }),
    ).rejects.toMatchObject({ code: 'invalid_cidr' });
    await expect(run('keys', 'allowlist', { id })).rejects.toBeInstanceOf(UsageError);
    await expect(run('keys', 'allowlist', { id, cidrs: '10.0.0.0/8', clear: true })).rejects.toBeInstanceOf(
      UsageError,
    );
    await expect(
      run('keys', 'allowlist', { id: '0190a0b0-0000-7000-8000-000000000000', clear: true }),
    ).rejects.toMatchObject({ code: 'api_key_not_found' });

    const events = await db.vault.audit.list({ tenantId });
    expect(
      events.filter((e) => e.action.startsWith('api_key.')).map((e) => [e.action, e.actor, e.details]),
    ).toEqual([
      [
        'api_key.created',
        'cli:test',
        expect.objectContaining({ allowedCidrs: '192.0.2.0/24,2001:db8::/32' }),
      ],
      [
        'api_key.allowlist_changed',
        'cli:test',
        { before: '192.0.2.0/24,2001:db8::/32', after: '10.0.0.0/8' },
      ],
      ['api_key.allowlist_changed', 'cli:test', { before: '10.0.0.0/8', after: null }],
    ]);
  });

  it('binds a key to a client certificate and unbinds it, audited as the operator', async () => {
    const [tenant] = await run('tenants', 'create', { name: 'Certified' });
    const tenantId = String(tenant?.id);
    const colons = Array(32).fill('0A').join(':');
    const [created] = await run('keys', 'create', {
      tenant: tenantId,
      scopes: 'messages:read',
      'cert-sha256': colons,
    });
    expect(created?.clientCertificateSha256).toBe('0a'.repeat(32));
    const id = String(created?.id);
    const [rebound] = await run('keys', 'certificate', { id, 'cert-sha256': 'ff'.repeat(32) });
    expect(rebound?.clientCertificateSha256).toBe('ff'.repeat(32));
    expect((await run('keys', 'certificate', { id, clear: true }))[0]?.clientCertificateSha256).toBeNull();
    await expect(run('keys', 'certificate', { id, 'cert-sha256': 'nope' })).rejects.toMatchObject({
      code: 'invalid_request',
    });
    await expect(run('keys', 'certificate', { id })).rejects.toBeInstanceOf(UsageError);
    const events = await db.vault.audit.list({ tenantId, action: 'api_key.certificate_changed' });
    expect(events.map((e) => [e.actor, e.details])).toEqual([
      ['cli:test', { before: '0a'.repeat(32), after: 'ff'.repeat(32) }],
      ['cli:test', { before: 'ff'.repeat(32), after: null }],
    ]);
  });

  it('lists and lifts SMS-pumping blocks; a lift is audited as the operator; bad ids are refused', async () => {
    const [tenant] = await run('tenants', 'create', { name: 'Pumped' });
    const tenantId = String(tenant?.id);
    const block = await new VerificationBlockRepository(db.pool).create({
      tenantId,
      rangePrefix: '+44794600',
      country: 'GB',
      sends: 20,
      approvals: 0,
      blockMs: 3_600_000,
      alert: {},
    });
    const listed = await run('verification-blocks', 'list', { tenant: tenantId });
    expect(listed).toEqual([
      expect.objectContaining({
        id: block?.id,
        status: 'active',
        range: '+44794600',
        country: 'GB',
        sends: 20,
      }),
    ]);
    const [lifted] = await run('verification-blocks', 'lift', { tenant: tenantId, id: String(block?.id) });
    expect(lifted).toMatchObject({ id: block?.id, status: 'lifted', liftedBy: 'cli:test' });
    // Lifting again answers the block as it is and records nothing more.
    expect(
      (await run('verification-blocks', 'lift', { tenant: tenantId, id: String(block?.id) }))[0],
    ).toMatchObject({
      status: 'lifted',
    });
    const events = await db.vault.audit.list({ tenantId });
    expect(events.filter((e) => e.action === 'verification.range_unblocked').map((e) => e.actor)).toEqual([
      'cli:test',
    ]);
    await expect(run('verification-blocks', 'lift', { tenant: tenantId })).rejects.toThrow(
      '--id is required',
    );
    await expect(run('verification-blocks', 'lift', { tenant: tenantId, id: 'nope' })).rejects.toMatchObject({
      code: 'verification_block_not_found',
    });
    await expect(run('verification-blocks', 'list', {})).rejects.toBeInstanceOf(UsageError);
  });

  it('creates a tenant user with a one-time setup token; lists users with masked emails', async () => {
    const [tenant] = await run('tenants', 'create', { name: 'People' });
    const tenantId = String(tenant?.id);
    const [owner] = await run('users', 'create', {
      tenant: tenantId,
      email: 'Ada@Example.com',
      role: 'owner',
    });
    expect(owner).toMatchObject({
      email: 'a***@example.com',
      role: 'owner',
      status: 'invited',
      createdBy: 'cli:test',
    });
    expect(String(owner?.setupToken)).toMatch(/^ml_setup_/);
    const listed = await run('users', 'list', { tenant: tenantId });
    expect(listed).toEqual([expect.objectContaining({ id: owner?.id, email: 'a***@example.com' })]);
    expect(JSON.stringify(listed)).not.toContain('setup');
    expect(JSON.stringify(listed)).not.toContain('Ada');
    await expect(
      run('users', 'create', { tenant: tenantId, email: 'ada@example.com', role: 'admin' }),
    ).rejects.toMatchObject({ code: 'user_exists' });
    await expect(
      run('users', 'create', { tenant: tenantId, email: 'bob@example.com', role: 'root' }),
    ).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(run('users', 'create', { tenant: tenantId, role: 'admin' })).rejects.toThrow(
      '--email is required',
    );
    const audit = await db.vault.audit.list({ tenantId, action: 'user.created' });
    expect(audit.map((e) => [e.actor, e.details])).toEqual([['cli:test', { role: 'owner' }]]);
  });

  it('runs as a process from its build, printing the key once', () => {
    const env = { ...process.env, DATABASE_URL: db.url, API_KEY_PEPPER: TEST_PEPPER, ...db.vaultEnv };
    const tenant = spawnSync(process.execPath, [cli, 'tenants', 'create', '--name', 'Process'], {
      env,
      encoding: 'utf8',
    });
    expect(tenant.status, tenant.stderr).toBe(0);
    const { id } = JSON.parse(tenant.stdout);
    const key = spawnSync(
      process.execPath,
      [cli, 'keys', 'create', '--tenant', id, '--scopes', 'messages:read'],
      {
        env,
        encoding: 'utf8',
      },
    );
    expect(key.status, key.stderr).toBe(0);
    expect(JSON.parse(key.stdout).key).toMatch(/^ml_live_/);
    const allowlist = spawnSync(
      process.execPath,
      [cli, 'keys', 'allowlist', '--id', JSON.parse(key.stdout).id, '--cidrs', '2001:db8::/32'],
      { env, encoding: 'utf8' },
    );
    expect(allowlist.status, allowlist.stderr).toBe(0);
    expect(JSON.parse(allowlist.stdout).allowedCidrs).toEqual(['2001:db8::/32']);
    const bad = spawnSync(process.execPath, [cli, 'keys', 'create', '--tenant', id, '--scopes', 'nope'], {
      env,
      encoding: 'utf8',
    });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('invalid_request');
    const usage = spawnSync(process.execPath, [cli, 'keys', 'list'], { env, encoding: 'utf8' });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('--tenant is required');
    const noPepper = spawnSync(process.execPath, [cli, 'tenants', 'list'], {
      env: { ...env, API_KEY_PEPPER: '' },
      encoding: 'utf8',
    });
    expect(noPepper.status).toBe(2);
    expect(noPepper.stderr).toContain('API_KEY_PEPPER');
  });
});
