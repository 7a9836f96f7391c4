import { readFileSync } from 'node:fs';
import {
  type CarrierSecretSpec,
  type CarrierSettings,
  MasklineError,
  type SecretSource,
} from '@maskline/core';

export interface ResolveSecretsOptions {
  /** The plugin's id, for messages. */
  pluginId: string;
  /** What the plugin declares (`definition.secrets`). */
  declared: Readonly<Record<string, CarrierSecretSpec>> | undefined;
  /** Where `{env: NAME}` sources are read (default: this process's environment). */
  env?: NodeJS.ProcessEnv;
}

/**
 * Resolves the secrets a carrier's plugin declares from the sources its settings name
 * (`secrets.<name>: {env: NAME}` or `{file: path}`, a file's trailing newline dropped). Call
 * at boot: it reads files. Refuses, with config_invalid naming the carrier and the secret,
 * a missing required secret, a source the plugin does not declare, a declared secret
 * written inline in `config`, and a value the secret's schema rejects. No error or log
 * line ever carries a secret's value.
 */
export function resolveCarrierSecrets(
  settings: CarrierSettings,
  options: ResolveSecretsOptions,
): Readonly<Record<string, string>> {
  const declared = options.declared ?? {};
  const env = options.env ?? process.env;
  const carrier = `carrier "${settings.id}"`;
  const problems: string[] = [];
  for (const name of Object.keys(settings.secrets)) {
    if (!Object.hasOwn(declared, name)) {
      const known = Object.keys(declared);
      problems.push(
        `secrets.${name}: the ${options.pluginId} plugin declares no such secret (${known.length ? `declared: ${known.join(', ')}` : 'it declares none'})`,
      );
    }
  }
  const secrets: Record<string, string> = {};
  for (const [name, spec] of Object.entries(declared)) {
    if (Object.hasOwn(settings.config, name)) {
      problems.push(
        `config.${name}: a secret never sits inline; name where it comes from in secrets.${name} ({env: NAME} or {file: path})`,
      );
      continue;
    }
    const source = settings.secrets[name];
    if (!source) {
      if (!spec.optional) problems.push(`secrets.${name}: missing (${spec.description})`);
      continue;
    }
    const read = readSecret(source, env);
    if ('problem' in read) {
      problems.push(`secrets.${name}: ${read.problem}`);
      continue;
    }
    if (spec.schema) {
      const checked = spec.schema.safeParse(read.value);
      if (!checked.success) {
        problems.push(`secrets.${name}: ${checked.error.issues.map((issue) => issue.message).join(', ')}`);
        continue;
      }
    }
    secrets[name] = read.value;
  }
  if (problems.length > 0) {
    throw new MasklineError('config_invalid', { message: `${carrier}: ${problems.join('; ')}` });
  }
  return Object.freeze(secrets);
}

function readSecret(source: SecretSource, env: NodeJS.ProcessEnv): { value: string } | { problem: string } {
  if ('env' in source) {
    const value = env[source.env];
    return value === undefined ? { problem: `environment variable ${source.env} is not set` } : { value };
  }
  try {
    return { value: readFileSync(source.file, 'utf8').replace(/\r?\n$/, '') };
  } catch (error) {
    return {
      problem: `cannot read file ${source.file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    };
  }
}
