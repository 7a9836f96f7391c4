import { readFileSync } from 'node:fs';
import { deliveryWorkerConfigSchema } from '@maskline/delivery-worker';
import { ingestConfigSchema } from '@maskline/ingest';
import { receiptProcessorConfigSchema } from '@maskline/receipt-processor';
import { vaultConfigShape } from '@maskline/vault';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  type Container,
  containerEnv,
  KUBERNETES_DIR,
  loadManifests,
  type Manifest,
  probePort,
} from '../src/manifests.js';

const schemas = {
  'maskline-ingest': ingestConfigSchema,
  'maskline-delivery-worker': deliveryWorkerConfigSchema,
  'maskline-receipt-processor': receiptProcessorConfigSchema,
} as const;

const files = loadManifests();
const objects: Manifest[] = files.map((f) => f.manifest);
const deployments = objects.filter((o) => o.kind === 'Deployment');
const containerOf = (d: Manifest) => d.spec.template.spec.containers[0] as Container;
const carriersFile = parse(
  objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'maskline-carriers')?.data?.[
    'carriers.yaml'
  ] ?? '',
) as { carriers: { secrets?: Record<string, { env?: string }> }[] };
/** Variables the carriers file reads its secrets from: the delivery worker needs them. */
const carrierSecretVars = carriersFile.carriers.flatMap((c) =>
  Object.values(c.secrets ?? {}).flatMap((s) => (s.env ? [s.env] : [])),
);

describe('the Kubernetes manifests (tools/deploy/kubernetes)', () => {
  it('deploy each of the three apps, its image command starting that app', () => {
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(Object.keys(schemas).sort());
    for (const d of deployments) {
      const app = d.metadata.name.replace(/^maskline-/, '');
      expect(containerOf(d).command).toEqual(['node', `apps/${app}/dist/main.js`]);
      expect(d.spec.selector.matchLabels).toEqual(
        d.spec.template.metadata.labels && { 'app.kubernetes.io/name': d.metadata.name },
      );
    }
  });

  it('give each app settings its own configuration schema accepts, and no variable it does not read', () => {
    for (const d of deployments) {
      const env = containerEnv(containerOf(d), objects);
      const schema = schemas[d.metadata.name as keyof typeof schemas];
      const known = new Set([...Object.keys(schema.shape), ...Object.keys(vaultConfigShape)]);
      const extra = d.metadata.name === 'maskline-delivery-worker' ? carrierSecretVars : [];
      const unknown = Object.keys(env).filter(
        (k) => !known.has(k) && !extra.includes(k) && !k.startsWith('OTEL_'),
      );
      expect({ app: d.metadata.name, unknown }).toEqual({ app: d.metadata.name, unknown: [] });
      const parsed = schema.safeParse(env);
      expect(parsed.success ? [] : parsed.error.issues.map((i) => i.path.join('.'))).toEqual([]);
    }
  });

  it('hand each app only the secrets it needs: never the migration login, the SMSC password only to workers', () => {
    for (const d of deployments) {
      const secrets = (containerOf(d).env ?? []).flatMap((v) =>
        v.valueFrom?.secretKeyRef ? [v.valueFrom.secretKeyRef.key] : [],
      );
      expect(secrets).not.toContain('MIGRATE_DATABASE_URL');
      expect(containerOf(d).envFrom?.some((s) => s.secretRef)).toBeFalsy();
      if (d.metadata.name === 'maskline-delivery-worker')
        expect(secrets).toEqual(expect.arrayContaining(carrierSecretVars));
      else for (const name of carrierSecretVars) expect(secrets).not.toContain(name);
    }
  });

  it('wire liveness to /live and readiness to /ready on the port the app serves them on', () => {
    for (const d of deployments) {
      const container = containerOf(d);
      const env = containerEnv(container, objects);
      const healthPort = Number(d.metadata.name === 'maskline-ingest' ? env.METRICS_PORT : env.HEALTH_PORT);
      expect(healthPort).toBeGreaterThan(0);
      for (const [probe, path] of [
        [container.startupProbe, '/live'],
        [container.livenessProbe, '/live'],
        [container.readinessProbe, '/ready'],
      ] as const) {
        expect(probe?.httpGet?.path).toBe(path);
        expect(probePort(container, probe)).toBe(healthPort);
      }
      // Reachable from the kubelet: not bound to loopback.
      expect(d.metadata.name === 'maskline-ingest' ? env.METRICS_HOST : env.HEALTH_HOST).toBe('0.0.0.0');
    }
  });

  it('request CPU and memory, cap memory, and give a stop more time than the app takes to drain', () => {
    for (const d of deployments) {
      const { resources } = containerOf(d);
      expect(resources?.requests?.cpu).toMatch(/^\d+m$/);
      expect(resources?.requests?.memory).toMatch(/^\d+Mi$/);
      expect(resources?.limits?.memory).toMatch(/^\d+Mi$/);
      const env = containerEnv(containerOf(d), objects);
      expect(d.spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(
        Number(env.SHUTDOWN_TIMEOUT_MS),
      );
      expect(d.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    }
  });

  it('apply everything but the secrets template with kustomize', () => {
    const kustomization = parse(readFileSync(`${KUBERNETES_DIR}kustomization.yaml`, 'utf8')) as {
      resources: string[];
    };
    const withObjects = [...new Set(files.map((f) => f.file))];
    expect(kustomization.resources.sort()).toEqual(
      withObjects.filter((f) => f !== 'secrets.example.yaml').sort(),
    );
    expect(
      files.filter((f) => f.manifest.kind === 'Secret').every((f) => f.file === 'secrets.example.yaml'),
    ).toBe(true);
  });
});

describe('docs/reference/configuration.md', () => {
  it('documents every variable every app reads', () => {
    const doc = readFileSync(new URL('../../../docs/reference/configuration.md', import.meta.url), 'utf8');
    const keys = [
      ...Object.values(schemas).flatMap((s) => Object.keys(s.shape)),
      ...Object.keys(vaultConfigShape),
    ];
    expect([...new Set(keys)].filter((k) => !doc.includes(`\`${k}\``))).toEqual([]);
  });
});
