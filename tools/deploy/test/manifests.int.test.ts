import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AppName, AppProcess, freePort } from '@maskline/local-infra';
import { type SmscSimulator, startSmscSimulator } from '@maskline/smsc-sim';
import { createTestDatabase, type TestDatabase, uniqueQueuePrefix } from '@maskline/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { type Container, containerEnv, loadManifests, type Manifest, probePort } from '../src/manifests.js';

const objects: Manifest[] = loadManifests().map((f) => f.manifest);
const READY: Record<AppName, RegExp> = {
  ingest: /ingest listening/,
  'delivery-worker': /delivery worker running/,
  'receipt-processor': /receipt processor running/,
};

/**
 * Each Deployment's container, started as the kubelet would start it (its environment
 * from the manifests' config maps and the secrets template), with only what a cluster
 * provides swapped for this machine's: the database and Redis addresses, the keyring,
 * the carrier's address (a simulator), loopback instead of 0.0.0.0 and free ports. Its
 * probes, as written, must then answer 200, and SIGTERM must stop it within the pod's
 * termination grace period.
 */
describe('the Kubernetes manifests against the real apps', () => {
  let db: TestDatabase;
  let sim: SmscSimulator;
  let carriersFile: string;

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    sim = await startSmscSimulator({ host: '127.0.0.1', smppPort: 0, controlPort: null });
    const carriers =
      objects.find((o) => o.metadata.name === 'maskline-carriers')?.data?.['carriers.yaml'] ?? '';
    const file = parse(carriers) as { carriers: { config: Record<string, unknown> }[] };
    for (const carrier of file.carriers)
      Object.assign(carrier.config, { host: '127.0.0.1', port: sim.smppPort });
    carriersFile = join(mkdtempSync(join(tmpdir(), 'deploy-carriers-')), 'carriers.yaml');
    writeFileSync(carriersFile, stringify(file));
  });
  afterAll(async () => {
    await sim?.close();
    await db?.drop();
  });

  for (const deployment of objects.filter((o) => o.kind === 'Deployment')) {
    const app = deployment.metadata.name.replace(/^maskline-/, '') as AppName;
    it(`${app}: probes answer 200 and SIGTERM stops it within the grace period`, async () => {
      const container = deployment.spec.template.spec.containers[0] as Container;
      const env = containerEnv(container, objects);
      const healthVar = app === 'ingest' ? 'METRICS_PORT' : 'HEALTH_PORT';
      const hostVar = app === 'ingest' ? 'METRICS_HOST' : 'HEALTH_HOST';
      // The manifest's probes name the port the app's own setting opens.
      expect(probePort(container, container.readinessProbe)).toBe(Number(env[healthVar]));
      const healthPort = await freePort();
      const local: Record<string, string> = {
        ...env,
        DATABASE_URL: db.appUrl,
        REDIS_URL: inject('redisUrl'),
        QUEUE_PREFIX: uniqueQueuePrefix(),
        ...db.vaultEnv,
        ...(env.CARRIERS_FILE ? { CARRIERS_FILE: carriersFile } : {}),
        [healthVar]: String(healthPort),
        [hostVar]: '127.0.0.1',
        ...(app === 'ingest' ? { PORT: '0', HOST: '127.0.0.1' } : {}),
      };
      const process_ = new AppProcess(app, local);
      await process_.start(READY[app]);
      try {
        for (const probe of [container.startupProbe, container.livenessProbe, container.readinessProbe]) {
          const url = `http://127.0.0.1:${healthPort}${probe?.httpGet?.path}`;
          let status = 0;
          const deadline = Date.now() + 15_000;
          while (status !== 200 && Date.now() < deadline) {
            status = await fetch(url)
              .then((r) => r.status)
              .catch(() => 0);
            if (status !== 200) await new Promise((r) => setTimeout(r, 200));
          }
          expect({ url: probe?.httpGet?.path, status }).toEqual({ url: probe?.httpGet?.path, status: 200 });
        }
      } finally {
        const started = Date.now();
        await process_.stop();
        const graceMs = deployment.spec.template.spec.terminationGracePeriodSeconds * 1000;
        expect(Date.now() - started).toBeLessThan(graceMs);
      }
    }, 60_000);
  }
});
