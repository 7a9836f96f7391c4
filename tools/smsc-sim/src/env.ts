import type { SmscSimulatorOptions } from './options.js';

/**
 * Simulator options from the environment (the CLI). Unset or empty variables keep the
 * CLI defaults: SMPP on 2775, control API on 2776. SMSC_SIM_CONTROL_PORT=off runs no
 * control API.
 */
export function optionsFromEnv(env: NodeJS.ProcessEnv): SmscSimulatorOptions {
  const value = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  const int = (name: string, fallback: number) => {
    const raw = value(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw)) throw new Error(`${name} must be a non-negative integer`);
    return Number(raw);
  };
  const idFormat = value('SMSC_SIM_ID_FORMAT') ?? 'hex';
  if (idFormat !== 'hex' && idFormat !== 'decimal')
    throw new Error('SMSC_SIM_ID_FORMAT must be hex or decimal');
  const systemId = value('SMSC_SIM_SYSTEM_ID');
  const password = value('SMSC_SIM_PASSWORD');
  const journalFile = value('SMSC_SIM_JOURNAL_FILE');
  const maxBinds = value('SMSC_SIM_MAX_BINDS');
  return {
    host: value('SMSC_SIM_HOST') ?? '127.0.0.1',
    smppPort: int('SMSC_SIM_PORT', 2775),
    controlPort: value('SMSC_SIM_CONTROL_PORT') === 'off' ? null : int('SMSC_SIM_CONTROL_PORT', 2776),
    ...(systemId === undefined ? {} : { systemId }),
    ...(password === undefined ? {} : { password }),
    ...(journalFile === undefined ? {} : { journalFile }),
    ...(maxBinds === undefined ? {} : { maxBinds: int('SMSC_SIM_MAX_BINDS', 0) }),
    submitRespDelayMs: int('SMSC_SIM_SUBMIT_DELAY_MS', 0),
    receiptDelayMs: int('SMSC_SIM_RECEIPT_DELAY_MS', 0),
    messageIdFormat: idFormat,
  };
}
