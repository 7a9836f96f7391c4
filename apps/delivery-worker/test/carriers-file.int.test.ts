import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uuidv7 } from '@maskline/core';
import { type SmscSimulator, startSmscSimulator } from '@maskline/smsc-sim';
import { AppProcess, testMessage } from '@maskline/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestHost, type TestHost } from './support/test-host.js';
import { waitForStatuses } from './support/worker-process.js';

/** Only this SMSC's password binds; it must appear in no line the worker prints. */
const PASSWORD = 'Fi1e-pw';

/**
 * A real delivery-worker process reading its carriers from a YAML carriers file, the SMPP
 * bind password from a secret file: it binds with it and delivers; a carrier that writes
 * the password inline, or names a secret file that is not there, stops it at boot with an
 * error naming the carrier and the secret, never the value.
 */
describe('the delivery worker with a carriers file and a secret file', () => {
  let host: TestHost;
  let sim: SmscSimulator;
  let dir: string;
  const workers: AppProcess[] = [];

  beforeAll(async () => {
    host = await startTestHost();
    sim = await startSmscSimulator({ controlPort: null, systemId: 'maskline', password: PASSWORD });
    dir = mkdtempSync(join(tmpdir(), 'carriers-file-'));
    writeFileSync(join(dir, 'smsc-password'), `${PASSWORD}\n`, { mode: 0o600 });
  });
  afterAll(async () => {
    for (const worker of workers) await worker.stop();
    await sim.close();
    await host.close();
  });

  function carriersFile(name: string, carrier: string): string {
    const path = join(dir, name);
    writeFileSync(path, `carriers:\n${carrier}`);
    return path;
  }

  function worker(carriersFilePath: string): AppProcess {
    const app = new AppProcess('delivery-worker', {
      DATABASE_URL: host.db.appUrl,
      REDIS_URL: inject('redisUrl'),
      QUEUE_PREFIX: host.prefix,
      // The most output there is, for the scan below.
      LOG_LEVEL: 'trace',
      ...host.db.vaultEnv,
      CARRIERS_FILE: carriersFilePath,
    });
    workers.push(app);
    return app;
  }

  it('binds with the password from the file and delivers', async () => {
    const path = carriersFile(
      'carriers.yaml',
      `  - id: filed
    plugin: smpp
    secrets:
      password: { file: ${JSON.stringify(join(dir, 'smsc-password'))} }
    config:
      host: 127.0.0.1
      port: ${sim.smppPort}
      systemId: maskline
`,
    );
    const app = worker(path);
    await app.start(/delivery worker running/);
    const ids = Array.from({ length: 2 }, () => uuidv7());
    await host.messages.insertManyAccepted(
      ids.map((id) => testMessage(host.tenantId, { id, carrierId: 'filed' })),
    );
    await host.queues.enqueue(
      ids.map((id) => ({ carrierId: 'filed', job: { messageId: id, tenantId: host.tenantId } })),
    );
    const statuses = await waitForStatuses(host, ids, ['submitted'], 15_000);
    expect([...statuses.values()]).toEqual(['submitted', 'submitted']);
    expect(sim.messages()).toHaveLength(2);
    expect(app.lines.some((l) => l.includes('"carrier":"filed"') && l.includes('carrier up'))).toBe(true);
    expect(app.lines.join('\n')).not.toContain(PASSWORD);
  });

  it('refuses a password written inline in config, without printing it', async () => {
    const path = carriersFile(
      'inline.yaml',
      `  - id: inline
    plugin: smpp
    secrets:
      password: { file: ${JSON.stringify(join(dir, 'smsc-password'))} }
    config: { host: 127.0.0.1, port: ${sim.smppPort}, systemId: maskline, password: ${PASSWORD} }
`,
    );
    const app = worker(path);
    const error = await app.start(/delivery worker running/).then(
      () => null,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/exited with 1/);
    expect(error?.message).toContain('carrier \\"inline\\": config.password: a secret never sits inline');
    expect(app.lines.join('\n')).not.toContain(PASSWORD);
  });

  it('refuses to start when the secret file is missing, naming carrier and secret', async () => {
    const path = join(dir, 'missing.json');
    writeFileSync(
      path,
      JSON.stringify({
        carriers: [
          {
            id: 'lost',
            plugin: 'smpp',
            secrets: { password: { file: join(dir, 'no-such-file') } },
            config: { host: '127.0.0.1', port: sim.smppPort, systemId: 'maskline' },
          },
        ],
      }),
    );
    const app = worker(path);
    await expect(app.start(/delivery worker running/)).rejects.toThrow(
      /carrier \\"lost\\": secrets\.password: cannot read file .*no-such-file \(ENOENT\)/,
    );
  });
});
