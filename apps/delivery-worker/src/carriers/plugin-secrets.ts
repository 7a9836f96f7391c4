import { type CarrierPluginDefinition, type CarrierSettings, MasklineError } from '@maskline/core';

/**
 * The values of a carrier's secrets: each `settings.secrets` entry `{env: NAME}` read from
 * the environment. A minimal stand-in until the carriers file loader resolves secrets
 * (files included); a declared, non-optional secret without a value stops the boot.
 * Errors name the carrier, the secret and the variable, never a value.
 */
export function resolvePluginSecrets(
  settings: CarrierSettings,
  definition: CarrierPluginDefinition<unknown>,
  env: NodeJS.ProcessEnv = process.env,
): Readonly<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const [name, source] of Object.entries(settings.secrets)) {
    if (!('env' in source)) {
      throw new MasklineError('config_invalid', {
        message: `Carrier ${settings.id}: secret "${name}" from a file is not supported yet; use {"env": NAME}.`,
      });
    }
    const value = env[source.env];
    if (value !== undefined && value !== '') values[name] = value;
  }
  for (const [name, spec] of Object.entries(definition.secrets ?? {})) {
    if (values[name] === undefined && !spec.optional) {
      const source = settings.secrets[name];
      throw new MasklineError('config_invalid', {
        message:
          source && 'env' in source
            ? `Carrier ${settings.id}: secret "${name}" is empty (${source.env} is not set).`
            : `Carrier ${settings.id}: secret "${name}" is required; name its source in "secrets".`,
      });
    }
  }
  return values;
}
