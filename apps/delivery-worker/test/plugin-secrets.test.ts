import { type CarrierPluginDefinition, carrierSettingsSchema, MasklineError } from '@maskline/core';
import { describe, expect, it } from 'vitest';
import { resolvePluginSecrets } from '../src/carriers/plugin-secrets.js';

const definition = {
  secrets: { token: { description: 't' }, extra: { description: 'e', optional: true } },
} as unknown as CarrierPluginDefinition<unknown>;
const settings = (secrets: Record<string, unknown>) =>
  carrierSettingsSchema.parse({ id: 'c1', plugin: 'p', secrets, config: {} });

describe('resolvePluginSecrets', () => {
  it('reads {env} sources and leaves optional secrets out', () => {
    expect(
      resolvePluginSecrets(settings({ token: { env: 'TOKEN_VAR' } }), definition, { TOKEN_VAR: 's3cret' }),
    ).toEqual({
      token: 's3cret',
    });
  });

  it('refuses a missing required secret without naming any value', () => {
    const unset = () => resolvePluginSecrets(settings({ token: { env: 'TOKEN_VAR' } }), definition, {});
    expect(unset).toThrow(MasklineError);
    expect(unset).toThrow(/TOKEN_VAR is not set/);
    expect(() => resolvePluginSecrets(settings({}), definition, { TOKEN_VAR: 'x' })).toThrow(
      /"token" is required/,
    );
    expect(() =>
      resolvePluginSecrets(settings({ token: { file: '/run/secrets/t' } }), definition, {}),
    ).toThrow(/not supported yet/);
  });
});
