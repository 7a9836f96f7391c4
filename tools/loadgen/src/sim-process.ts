import {
  type ProcessHandle,
  type ProcessUsage,
  processUsage,
  REPO_ROOT,
  startProcess,
  waitFor,
} from '@maskline/local-infra';

/** The SMSC simulator as its own process (one per gateway, so each starts from zero). */
export interface SimProcess {
  port: number;
  handle: ProcessHandle;
  usage(): ProcessUsage | null;
  stop(): Promise<void>;
}

/**
 * `onSpawn` gets the process as soon as it exists, so a signal during start-up can stop it;
 * `env` adds or overrides SMSC_SIM_* variables (e.g. a fixed SMSC_SIM_PORT, a journal file).
 */
export async function startSimProcess(
  latencyMs: number,
  onSpawn: (handle: ProcessHandle) => void = () => {},
  env: Record<string, string> = {},
): Promise<SimProcess> {
  const handle = startProcess(process.execPath, [`${REPO_ROOT}tools/smsc-sim/dist/main.js`], {
    env: {
      PATH: process.env.PATH ?? '',
      SMSC_SIM_HOST: '127.0.0.1',
      SMSC_SIM_PORT: '0',
      SMSC_SIM_CONTROL_PORT: 'off',
      SMSC_SIM_SUBMIT_DELAY_MS: String(latencyMs),
      SMSC_SIM_RECEIPT_DELAY_MS: '0',
      ...env,
    },
  });
  onSpawn(handle);
  let port = 0;
  await waitFor(
    async () => {
      const match = /"smppPort":(\d+)/.exec(handle.output());
      port = match ? Number(match[1]) : 0;
      return port > 0;
    },
    'smsc-sim',
    handle,
  );
  return {
    port,
    handle,
    usage: () => (handle.process.pid ? processUsage(handle.process.pid) : null),
    stop: () => handle.stop('SIGTERM'),
  };
}
