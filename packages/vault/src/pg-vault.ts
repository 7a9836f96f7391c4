import { createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import {
  type AuditEventInput,
  type AuditRecorder,
  type SealBinding,
  SYSTEM_SCOPE,
  type Vault,
} from '@maskline/core';
import { blankShreddedTenantForms } from '@maskline/storage';
import pg from 'pg';
import { AuditLog } from './audit/audit-log.js';
import { KeyChangeListener, notifyKeyChange } from './changes/key-change-listener.js';
import { failpoint } from './durability/failpoint.js';
import { derive, LoadedTenantVault } from './keys/loaded-tenant-vault.js';
import { type StoredKey, TenantKeyStore } from './keys/tenant-key-store.js';
import { cachedHealthCheck } from './providers/cached-health-check.js';
import type { KeyProvider } from './providers/key-provider.js';
import { sealedKeyVersion } from './sealed-value.js';
import { recordKeyLoad } from './vault-metrics.js';

export interface VaultOptions {
  pool: pg.Pool;
  keyProvider: KeyProvider;
  /** Who the audit log names for this process's key operations, e.g. "system:ingest". */
  actor: string;
  /** How long a tenant's loaded keys are trusted before the table is read again (default 30 s). */
  cacheTtlMs?: number;
  /** How long the key provider's health check result is reused (default 3 s). */
  healthCacheMs?: number;
  now?: () => number;
}

interface CacheEntry {
  vault: Promise<LoadedTenantVault>;
  expiresAt: number;
}

/**
 * The vault over PostgreSQL: wrapped per-tenant keys in tenant_keys, unwrapped by the key
 * provider once per process and key, cached in memory. Rotation, shredding and KEK
 * re-wrapping are here too; each writes an audit event.
 */
export class PgVault implements Vault, AuditRecorder {
  readonly keys: TenantKeyStore;
  readonly audit: AuditLog;
  private readonly cache = new Map<string, CacheEntry>();
  /** Unwrapped keys by tenant/purpose/version/kek, so a refresh unwraps only what is new. */
  private readonly unwrapped = new Map<string, KeyObject>();
  private readonly ttl: number;
  private readonly now: () => number;
  private listener: KeyChangeListener | null = null;

  /**
   * Readiness of the key provider (token present, session usable, KEK found; keyring file
   * readable): throws vault_unavailable naming what is missing. Cached for a few seconds.
   */
  readonly checkKeyProvider: () => Promise<void>;

  constructor(private readonly options: VaultOptions) {
    this.keys = new TenantKeyStore(options.pool);
    this.ttl = options.cacheTtlMs ?? 30_000;
    this.now = options.now ?? Date.now;
    this.checkKeyProvider = cachedHealthCheck(
      async () => await options.keyProvider.checkHealth?.(),
      options.healthCacheMs ?? 3_000,
    );
    this.audit = new AuditLog(options.pool, () => this.auditChainKey());
  }

  async forTenant(tenantId: string, versions?: Iterable<number | null>): Promise<LoadedTenantVault> {
    const vault = await this.cachedOrLoad(tenantId);
    if (!versions) return vault;
    for (const version of versions) {
      if (version !== null && !vault.hasVersion(version) && !vault.knowsDestroyed(version)) {
        this.evict(tenantId);
        return this.cachedOrLoad(tenantId);
      }
    }
    return vault;
  }

  async openFor(tenantId: string, binding: SealBinding, sealed: Buffer): Promise<string> {
    const tv = await this.forTenant(tenantId, [sealedKeyVersion(sealed)]);
    return tv.open(binding, sealed);
  }

  private cachedOrLoad(tenantId: string): Promise<LoadedTenantVault> {
    const cached = this.cache.get(tenantId);
    if (cached && cached.expiresAt > this.now()) return cached.vault;
    const started = performance.now();
    const vault = this.load(tenantId);
    const entry: CacheEntry = { vault, expiresAt: Number.POSITIVE_INFINITY };
    this.cache.set(tenantId, entry);
    vault.then(
      (v) => {
        recordKeyLoad('loaded', (performance.now() - started) / 1000);
        entry.expiresAt = Math.min(
          this.now() + this.ttl,
          this.nextActivation.get(v) ?? Number.POSITIVE_INFINITY,
        );
      },
      () => {
        recordKeyLoad('failed', (performance.now() - started) / 1000);
        if (this.cache.get(tenantId) === entry) this.cache.delete(tenantId);
      },
    );
    return vault;
  }

  /** Forget a tenant's cached keys (after rotation or shredding, here or in another process). */
  evict(tenantId: string, dropUnwrapped = false): void {
    this.cache.delete(tenantId);
    if (!dropUnwrapped) return;
    for (const id of this.unwrapped.keys()) if (id.startsWith(`${tenantId}/`)) this.unwrapped.delete(id);
  }

  /**
   * Listen for other processes' key changes (PostgreSQL LISTEN on a connection of its own,
   * reconnected when lost): a shred, a destroyed or a new key version evicts that tenant's
   * cached keys at once. While the connection is down, the cache TTL bounds staleness.
   */
  async watchKeyChanges(
    options: { onError?: (error: Error) => void; retryMs?: number; client?: () => pg.Client } = {},
  ): Promise<void> {
    if (this.listener) return;
    const pool = this.options.pool;
    this.listener = new KeyChangeListener({
      client: () => new pg.Client({ ...pool.options, application_name: 'maskline-vault-listener' }),
      onChange: (tenantId, kind) => this.evict(tenantId, kind === 'destroyed'),
      onReset: () => this.cache.clear(),
      ...options,
    });
    await this.listener.start();
  }

  /** True while this vault hears other processes' key changes (see watchKeyChanges). */
  get watchingKeyChanges(): boolean {
    return this.listener?.listening ?? false;
  }

  /**
   * Add a data key version. It is used for sealing from `activateAfterMs` on; give other
   * processes at least their cache TTL to load it first (the default does).
   */
  async rotateDataKey(tenantId: string, activateAfterMs = 2 * this.ttl): Promise<number> {
    await this.forTenant(tenantId);
    for (;;) {
      const version = (await this.keys.latestVersion(tenantId, 'data')) + 1;
      const wrapped = await this.options.keyProvider.wrap(randomBytes(32));
      await this.keys.insertIfAbsent([{ tenantId, purpose: 'data', version, ...wrapped }], activateAfterMs);
      const stored = (await this.keys.load(tenantId)).find(
        (k) => k.purpose === 'data' && k.version === version,
      );
      if (stored?.kekId === wrapped.kekId && stored.wrapped?.equals(wrapped.wrapped)) {
        this.evict(tenantId);
        await notifyKeyChange(this.options.pool, tenantId, 'added');
        await this.record({
          tenantId,
          action: 'key.rotated',
          subject: `data:v${version}`,
          details: { activateAfterMs },
        });
        return version;
      }
    }
  }

  /** Destroy one data key version (after re-encryption moved every value off it). */
  async destroyDataKey(tenantId: string, version: number): Promise<void> {
    await this.keys.destroy(tenantId, 'data', version);
    await notifyKeyChange(this.options.pool, tenantId, 'destroyed');
    this.evict(tenantId, true);
    await this.record({ tenantId, action: 'key.destroyed', subject: `data:v${version}`, details: {} });
  }

  /**
   * Crypto-shredding: destroy every key of the tenant. Everything sealed for it, and its
   * blind indexes and tokens, can no longer be read or recomputed by anyone. Its masked
   * display forms are blanked in the same transaction, and the commit notifies every
   * process that watches key changes, which drops its cached copies at once (the others
   * within the cache TTL).
   */
  async shredTenant(tenantId: string): Promise<number> {
    const client = await this.options.pool.connect();
    let destroyed: number;
    let blanked: Awaited<ReturnType<typeof blankShreddedTenantForms>>;
    try {
      await client.query('BEGIN');
      destroyed = await this.keys.destroy(tenantId, null, null, client);
      blanked = await blankShreddedTenantForms(client, tenantId);
      await notifyKeyChange(client, tenantId, 'destroyed');
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
    this.evict(tenantId, true);
    await this.record({
      tenantId,
      action: 'tenant.shredded',
      subject: tenantId,
      details: {
        keysDestroyed: destroyed,
        maskedMessages: blanked.messages,
        maskedParticipants: blanked.participants,
        maskedEvents: blanked.events,
        maskedInbound: blanked.inbound,
        maskedVerifications: blanked.verifications,
        verificationBlocks: blanked.verificationBlocks,
      },
    });
    return destroyed;
  }

  /** After a KEK rotation: re-wrap every stored key under the provider's active KEK. */
  async rewrapKeys(batch = 100): Promise<number> {
    const target = this.options.keyProvider.activeKekId();
    let count = 0;
    for (;;) {
      const keys = await this.keys.wrappedByOtherThan(target, batch);
      if (keys.length === 0) break;
      for (const key of keys) {
        const clear = await this.options.keyProvider.unwrap({ kekId: key.kekId, wrapped: key.wrapped! });
        const wrapped = await this.options.keyProvider.wrap(clear);
        clear.fill(0);
        await this.keys.replaceWrapping(key, wrapped.kekId, wrapped.wrapped);
        count += 1;
        if (count === 1) failpoint('rewrap:first-key');
      }
    }
    // A pass that found nothing (rotate-kek's last check) is not an event.
    if (count > 0) {
      await this.record({
        tenantId: null,
        action: 'kek.rewrapped',
        subject: target,
        details: { keys: count },
      });
    }
    return count;
  }

  async close(): Promise<void> {
    await this.listener?.stop();
    this.listener = null;
    await this.options.keyProvider.close?.();
  }

  /** Append an audit event as this process. */
  record(event: AuditEventInput): Promise<void> {
    return this.audit.append({ ...event, actor: event.actor ?? this.options.actor });
  }

  private readonly nextActivation = new WeakMap<LoadedTenantVault, number>();

  private async load(tenantId: string): Promise<LoadedTenantVault> {
    let stored = await this.keys.load(tenantId);
    if (stored.length === 0) {
      await this.createInitialKeys(tenantId);
      stored = await this.keys.load(tenantId);
    }
    const now = this.now();
    const data = new Map<number, KeyObject>();
    let activeVersion: number | null = null;
    let nextActivation = Number.POSITIVE_INFINITY;
    let indexKey: KeyObject | null = null;
    const destroyed = new Set<number>();
    for (const key of stored) {
      if (!key.wrapped) {
        if (key.purpose === 'data') destroyed.add(key.version);
        continue;
      }
      const unwrapped = await this.unwrap(key);
      if (key.purpose === 'index') {
        indexKey = unwrapped;
        continue;
      }
      data.set(key.version, unwrapped);
      const activates = key.activatesAt.getTime();
      if (activates <= now) activeVersion = Math.max(activeVersion ?? 0, key.version);
      else nextActivation = Math.min(nextActivation, activates);
    }
    const tokenKey = indexKey ? derive(indexKey, 'maskline token v1') : null;
    const vault = new LoadedTenantVault(tenantId, data, activeVersion, indexKey, tokenKey, destroyed);
    this.nextActivation.set(vault, nextActivation);
    return vault;
  }

  private async createInitialKeys(tenantId: string): Promise<void> {
    const [data, index] = await Promise.all([
      this.options.keyProvider.wrap(randomBytes(32)),
      this.options.keyProvider.wrap(randomBytes(32)),
    ]);
    await this.keys.insertIfAbsent([
      { tenantId, purpose: 'data', version: 1, ...data },
      { tenantId, purpose: 'index', version: 1, ...index },
    ]);
  }

  private async unwrap(key: StoredKey): Promise<KeyObject> {
    const id = `${key.tenantId}/${key.purpose}/${key.version}/${key.kekId}`;
    const cached = this.unwrapped.get(id);
    if (cached) return cached;
    const clear = await this.options.keyProvider.unwrap({ kekId: key.kekId, wrapped: key.wrapped! });
    const object = createSecretKey(clear);
    clear.fill(0);
    // Key use is audited once per process and key (the system scope's own keys sign the
    // audit chain, so their use is not recorded in it).
    if (key.tenantId !== SYSTEM_SCOPE) {
      await this.record({
        tenantId: key.tenantId,
        action: 'key.unwrapped',
        subject: `${key.purpose}:v${key.version}`,
        details: { kekId: key.kekId },
      });
    }
    this.unwrapped.set(id, object);
    return object;
  }

  private async auditChainKey(): Promise<KeyObject> {
    const system = await this.forTenant(SYSTEM_SCOPE);
    return system.derivedKey('maskline audit chain v1');
  }
}
