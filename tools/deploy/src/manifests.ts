import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

/** tools/deploy/kubernetes, from tools/deploy/{src,dist}/. */
export const KUBERNETES_DIR = fileURLToPath(new URL('../kubernetes/', import.meta.url));

/** A Kubernetes object as written in the manifests (only the fields the checks read are typed). */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: manifests are free-form YAML, read field by field.
  spec?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string };
    configMapKeyRef?: { name: string; key: string };
  };
}

export interface Container {
  name: string;
  command?: string[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports?: { name: string; containerPort: number }[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

export interface Probe {
  httpGet?: { path: string; port: string | number };
}

/** Every object of every YAML file in `dir` (kustomization.yaml excluded), in file order. */
export function loadManifests(dir = KUBERNETES_DIR): { file: string; manifest: Manifest }[] {
  const out: { file: string; manifest: Manifest }[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    if (file === 'kustomization.yaml') continue;
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`);
      const manifest = doc.toJS() as Manifest | null;
      if (manifest) out.push({ file, manifest });
    }
  }
  return out;
}

/**
 * The environment a container gets, as the kubelet would build it: its envFrom config maps
 * and secrets, then its own env (later wins), secret and config-map references resolved
 * from `objects`. A reference to a missing object or key throws.
 */
export function containerEnv(container: Container, objects: readonly Manifest[]): Record<string, string> {
  const find = (kind: string, name: string) => {
    const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
    if (!found) throw new Error(`${container.name}: no ${kind} ${name}`);
    return { ...found.data, ...found.stringData };
  };
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) Object.assign(env, find('ConfigMap', source.configMapRef.name));
    if (source.secretRef) Object.assign(env, find('Secret', source.secretRef.name));
  }
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) {
      env[variable.name] = variable.value;
      continue;
    }
    const ref = variable.valueFrom?.secretKeyRef ?? variable.valueFrom?.configMapKeyRef;
    const kind = variable.valueFrom?.secretKeyRef ? 'Secret' : 'ConfigMap';
    if (!ref) throw new Error(`${container.name}: ${variable.name} has neither value nor a reference`);
    const value = find(kind, ref.name)[ref.key];
    if (value === undefined)
      throw new Error(`${container.name}: ${variable.name}: no key ${ref.key} in ${ref.name}`);
    env[variable.name] = value;
  }
  return env;
}

/** The number a probe's port names (a container port's name, or the number itself). */
export function probePort(container: Container, probe: Probe | undefined): number | undefined {
  const port = probe?.httpGet?.port;
  if (typeof port === 'number') return port;
  return container.ports?.find((p) => p.name === port)?.containerPort;
}
