import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@maskline/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type IngestProcess, startIngestProcess } from './support/ingest-process.js';

/**
 * The ingest reads the carriers (CARRIERS_FILE or CARRIERS) and refuses to start when
 * DEFAULT_CARRIER is not one of them: a typo would park every accepted message for good.
 */
describe('the ingest checks DEFAULT_CARRIER against the configured carriers', () => {
  let db: TestDatabase;
  let ingest: IngestProcess | null = null;
  let carriersFile: string;

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    carriersFile = join(mkdtempSync(join(tmpdir(), 'ingest-carriers-')), 'carriers.yaml');
    writeFileSync(
      carriersFile,
      'carriers:\n  - id: eu\n    plugin: smpp\n    secrets: { password: { env: EU_SMPP_PASSWORD } }\n',
    );
  });
  afterAll(async () => {
    await ingest?.stop();
    await db?.drop();
  });

  it('refuses to start with a carrier that is not configured, naming it and the configured ones', async () => {
    await expect(
      startIngestProcess(db, inject('redisUrl'), {
        CARRIERS: '',
        CARRIERS_FILE: carriersFile,
        DEFAULT_CARRIER: 'sim',
      }),
    ).rejects.toThrow(
      /ingest exited with 1:[\s\S]*DEFAULT_CARRIER: \\"sim\\" is not a configured carrier \(configured: eu\)/,
    );
  });

  it('refuses to start without any carriers configured', async () => {
    await expect(startIngestProcess(db, inject('redisUrl'), { CARRIERS: '' })).rejects.toThrow(
      /No carriers configured: set CARRIERS_FILE/,
    );
  });

  it('starts when DEFAULT_CARRIER is listed in the carriers file (its secrets are not its business)', async () => {
    ingest = await startIngestProcess(db, inject('redisUrl'), {
      CARRIERS: '',
      CARRIERS_FILE: carriersFile,
      DEFAULT_CARRIER: 'eu',
    });
    expect(ingest.url).toMatch(/^http:/);
  });
});
