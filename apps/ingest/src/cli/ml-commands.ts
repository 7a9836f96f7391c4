import { type AuditRecorder, type Clock, isUuid, MasklineError, parseScopes } from '@maskline/core';
import type { ApiKeyRepository, TenantRepository } from '@maskline/storage';
import { toApiKeyView } from '../api-keys/api-key-view.js';
import { changeKeyNetworkControls } from '../api-keys/key-network-controls.js';
import { parseCertificateSha256 } from '../auth/client-certificate.js';
import { parseAllowedCidrs } from '../auth/ip-allowlist.js';
import { parseCreateUser } from '../users/user-requests.js';
import type { UserService } from '../users/user-service.js';
import { toUserView } from '../users/user-view.js';
import type { VerificationBlocks } from '../verifications/verification-blocks.js';

export const ML_USAGE = `Usage: npm run ml -- <command> [options]
  (reads DATABASE_URL, API_KEY_PEPPER and the VAULT_* / PKCS11_* settings from the
   environment; prints JSON lines; every change is audited as cli:<your user name>)

  tenants create --name <name>                 a new tenant; prints its id
  tenants list                                 all tenants
  keys create --tenant <id> --scopes <a,b> [--name <name>] [--test] [--expires-in-days <n>]
              [--cidrs <cidr,cidr>] [--cert-sha256 <fingerprint>]
                                               a new API key (ml_live_..., ml_test_... with --test);
                                               the key is printed ONCE and cannot be shown again;
                                               --cidrs: honoured only from these IPv4/IPv6 CIDRs;
                                               --cert-sha256: only with this TLS client certificate
  keys allowlist --id <key id> (--cidrs <cidr,cidr> | --clear)
                                               replace a key's IP allowlist (--clear: any address;
                                               other replicas within API_KEY_CACHE_TTL_MS)
  keys certificate --id <key id> (--cert-sha256 <fingerprint> | --clear)
                                               bind a key to a TLS client certificate (its SHA-256
                                               fingerprint), or unbind it
  keys list --tenant <id>                      the tenant's keys, never their secrets
  keys revoke --id <key id>                    revoke a key (at once here; other running
                                               ingest replicas within API_KEY_CACHE_TTL_MS)
  users create --tenant <id> --email <email> --role <role>
                                               a user (owner, admin, developer, analyst, auditor);
                                               prints its setup token ONCE (password + TOTP
                                               enrolment: POST /v1/auth/setup)
  users list --tenant <id>                     the tenant's users (emails masked)
  verification-blocks list --tenant <id>       the tenant's SMS-pumping blocks of number ranges
                                               (active, and those that ended within a day)
  verification-blocks lift --tenant <id> --id <block id>
                                               lift a block at once: verifications to the range
                                               are sent again

Scopes: messages:send, messages:read, masking:manage, pool:admin, webhooks:manage,
reveal:request, audit:read, routes:manage, numbers:manage, keys:manage, users:manage.`;

export class UsageError extends Error {}

export interface MlCommandOptions {
  name?: string;
  tenant?: string;
  scopes?: string;
  test?: boolean;
  'expires-in-days'?: string;
  id?: string;
  email?: string;
  role?: string;
  cidrs?: string;
  clear?: boolean;
  'cert-sha256'?: string;
}

export interface MlDeps {
  tenants: TenantRepository;
  blocks: VerificationBlocks;
  keys: ApiKeyRepository;
  audit: AuditRecorder;
  clock: Clock;
  users: Pick<UserService, 'create' | 'list'>;
  /** e.g. "cli:alice": recorded as the actor of every change. */
  actor: string;
}

function need(value: string | undefined, flag: string): string {
  if (!value) throw new UsageError(`--${flag} is required`);
  return value;
}

async function existingTenant(deps: MlDeps, value: string | undefined): Promise<string> {
  const id = need(value, 'tenant');
  if (!isUuid(id) || !(await deps.tenants.exists(id))) throw new MasklineError('tenant_not_found');
  return id;
}

/** `--cidrs 10.0.0.0/8,2001:db8::/32`, validated as the API validates allowedCidrs. */
function cidrList(text: string): string[] | null {
  return parseAllowedCidrs(
    text
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part.length > 0),
    '--cidrs',
  );
}

/** Runs one `npm run ml` command: `group` is tenants, keys or verification-blocks, `action` what to do. */
export async function runMlCommand(
  group: string,
  action: string | undefined,
  options: MlCommandOptions,
  deps: MlDeps,
  print: (record: unknown) => void,
): Promise<void> {
  const command = `${group} ${action ?? ''}`.trim();
  switch (command) {
    case 'tenants create': {
      const name = need(options.name, 'name').trim();
      if (name.length === 0 || name.length > 200) throw new UsageError('--name must be 1 to 200 characters');
      const id = await deps.tenants.create(name);
      await deps.audit.record({
        tenantId: id,
        actor: deps.actor,
        action: 'tenant.created',
        subject: `tenant:${id}`,
        details: {},
      });
      print({ id, name });
      return;
    }
    case 'tenants list':
      for (const t of await deps.tenants.list()) {
        print({ id: t.id, name: t.name, createdAt: t.createdAt.toISOString() });
      }
      return;
    case 'keys create': {
      const tenantId = await existingTenant(deps, options.tenant);
      const scopes = parseScopes(need(options.scopes, 'scopes'), '--scopes');
      const days = options['expires-in-days'];
      if (days !== undefined && !/^[1-9]\d{0,3}$/.test(days)) {
        throw new UsageError('--expires-in-days must be a whole number from 1 to 9999');
      }
      const expiresAt = days ? new Date(deps.clock.now().getTime() + Number(days) * 86_400_000) : null;
      const environment = options.test ? 'test' : 'live';
      const allowedCidrs = options.cidrs === undefined ? null : cidrList(options.cidrs);
      const certificate = options['cert-sha256'];
      const clientCertSha256 =
        certificate === undefined ? null : parseCertificateSha256(certificate, '--cert-sha256');
      const created = await deps.keys.createKey({
        tenantId,
        name: options.name?.trim() || 'cli key',
        scopes,
        environment,
        expiresAt,
        allowedCidrs,
        clientCertSha256,
      });
      await deps.audit.record({
        tenantId,
        actor: deps.actor,
        action: 'api_key.created',
        subject: `api_key:${created.keyId}`,
        details: {
          scopes: scopes.join(','),
          environment,
          expiresAt: expiresAt?.toISOString() ?? null,
          allowedCidrs: allowedCidrs?.join(',') ?? null,
          clientCertificateSha256: clientCertSha256,
        },
      });
      print({ ...toApiKeyView(created.record), key: created.apiKey });
      return;
    }
    case 'keys list': {
      const tenantId = await existingTenant(deps, options.tenant);
      for (const key of await deps.keys.list(tenantId)) print(toApiKeyView(key));
      return;
    }
    case 'keys allowlist': {
      const id = need(options.id, 'id');
      if ((options.cidrs === undefined) === !options.clear) {
        throw new UsageError('give either --cidrs <cidr,cidr> or --clear');
      }
      const allowedCidrs = options.clear ? null : cidrList(options.cidrs ?? '');
      const after = isUuid(id)
        ? await changeKeyNetworkControls(
            { repository: deps.keys, audit: deps.audit },
            { id, tenantId: null },
            deps.actor,
            { allowedCidrs },
          )
        : null;
      if (!after) throw new MasklineError('api_key_not_found');
      print(toApiKeyView(after));
      return;
    }
    case 'keys certificate': {
      const id = need(options.id, 'id');
      const certificate = options['cert-sha256'];
      if ((certificate === undefined) === !options.clear) {
        throw new UsageError('give either --cert-sha256 <fingerprint> or --clear');
      }
      const sha256 = options.clear ? null : parseCertificateSha256(certificate, '--cert-sha256');
      const after = isUuid(id)
        ? await changeKeyNetworkControls(
            { repository: deps.keys, audit: deps.audit },
            { id, tenantId: null },
            deps.actor,
            { clientCertSha256: sha256 },
          )
        : null;
      if (!after) throw new MasklineError('api_key_not_found');
      print(toApiKeyView(after));
      return;
    }
    case 'keys revoke': {
      const id = need(options.id, 'id');
      const key = isUuid(id) ? await deps.keys.get(id) : null;
      if (!key) throw new MasklineError('api_key_not_found');
      const outcome = await deps.keys.revoke(id, null);
      if (outcome === 'revoked') {
        await deps.audit.record({
          tenantId: key.tenantId,
          actor: deps.actor,
          action: 'api_key.revoked',
          subject: `api_key:${id}`,
          details: {},
        });
      }
      print({ id, revoked: true, alreadyRevoked: outcome === 'already_revoked' });
      return;
    }
    case 'users create': {
      const tenantId = await existingTenant(deps, options.tenant);
      const request = parseCreateUser({
        email: need(options.email, 'email'),
        role: need(options.role, 'role'),
      });
      // The operator acts above the tenant's roles: it may make the first owner.
      const { user, setupToken } = await deps.users.create(tenantId, request, { id: deps.actor, role: null });
      print({ ...toUserView(user), setupToken });
      return;
    }
    case 'users list': {
      const tenantId = await existingTenant(deps, options.tenant);
      for (const user of await deps.users.list(tenantId)) print(toUserView(user));
      return;
    }
    case 'verification-blocks list': {
      const tenantId = await existingTenant(deps, options.tenant);
      for (const block of await deps.blocks.list(tenantId)) print(block);
      return;
    }
    case 'verification-blocks lift': {
      const tenantId = await existingTenant(deps, options.tenant);
      print(await deps.blocks.lift(tenantId, need(options.id, 'id'), deps.actor));
      return;
    }
    default:
      throw new UsageError(`unknown command: ${command || '(none)'}`);
  }
}
