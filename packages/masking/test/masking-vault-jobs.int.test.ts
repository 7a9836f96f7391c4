import { RetentionPolicyRepository, RetentionPurger, SEALED_TABLES } from '@maskline/storage';
import { createTestDatabase, seedTenant, type TestDatabase } from '@maskline/testing';
import { reencrypt } from '@maskline/vault';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PARTICIPANT_FIELD } from '../src/sessions/masking-service.js';
import { maskingService, realNumber, reserveRequest, stockPool } from './support/fixtures.js';

/** The vault's jobs over masking data: re-encryption after a rotation, and retention. */
describe('masking participants under the vault’s jobs', () => {
  let db: TestDatabase;
  let tenantId: string;

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    ({ tenantId } = await seedTenant(db.pool));
  });
  afterAll(async () => {
    await db.drop();
  });

  it('are listed for re-encryption under the field they are sealed with', () => {
    const participants = SEALED_TABLES.find((t) => t.table === 'masking_participants');
    expect(participants?.fields.map((f) => f.field)).toEqual([PARTICIPANT_FIELD]);
  });

  it('move to a new data key with the re-encryption job and still relay-open', async () => {
    const { service } = maskingService(db.pool, db.vault);
    await stockPool(service, tenantId, 3);
    const { session } = await service.reserve(
      tenantId,
      reserveRequest({ participants: [realNumber(1)] }),
      null,
    );
    await db.vault.rotateDataKey(tenantId, 0);
    const result = await reencrypt(db.pool, db.vault, SEALED_TABLES);
    expect(result.rows).toBeGreaterThanOrEqual(1);
    const versions = await db.pool.query(
      'SELECT DISTINCT key_version FROM masking_participants WHERE tenant_id = $1',
      [tenantId],
    );
    expect(versions.rows.map((r) => r.key_version)).toEqual([2]);
    const participantId = session.participants[0]!.id;
    const target = await service.sendTarget(tenantId, session.id, participantId);
    expect(target.to).toBe(realNumber(1));
  });

  it('lose their participants (sealed numbers) after the mapping retention, once the session closed', async () => {
    const { service } = maskingService(db.pool, db.vault);
    const { session: closed } = await service.reserve(
      tenantId,
      reserveRequest({ participants: [realNumber(2)] }),
      null,
    );
    const { session: open } = await service.reserve(
      tenantId,
      reserveRequest({ participants: [realNumber(3)] }),
      null,
    );
    await service.release(tenantId, closed.id);
    await db.pool.query(`UPDATE masking_sessions SET closed_at = now() - interval '10 days' WHERE id = $1`, [
      closed.id,
    ]);
    await new RetentionPolicyRepository(db.pool).set({
      tenantId,
      bodyDays: null,
      mappingDays: 7,
      metadataDays: null,
    });
    const [report] = await new RetentionPurger(db.pool).run();
    expect(report).toMatchObject({ tenantId, mappingsPurged: 1 });
    const left = await db.pool.query('SELECT session_id FROM masking_participants WHERE tenant_id = $1', [
      tenantId,
    ]);
    expect(left.rows.map((r) => r.session_id)).not.toContain(closed.id);
    expect(left.rows.map((r) => r.session_id)).toContain(open.id);
    expect((await service.get(tenantId, closed.id)).participants).toEqual([]);
  });
});
