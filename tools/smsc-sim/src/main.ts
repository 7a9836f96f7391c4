#!/usr/bin/env node
/** `node tools/smsc-sim/dist/main.js`: the simulator as its own process, configured by env. */
import { startSmscSimulator } from './simulator.js';

const env = process.env;
const num = (name: string, fallback: number) => (env[name] === undefined ? fallback : Number(env[name]));
try {
  const sim = await startSmscSimulator({
    host: env.SMSC_SIM_HOST ?? '127.0.0.1',
    smppPort: num('SMSC_SIM_PORT', 2775),
    controlPort: num('SMSC_SIM_CONTROL_PORT', 2776),
    ...(env.SMSC_SIM_SYSTEM_ID ? { systemId: env.SMSC_SIM_SYSTEM_ID } : {}),
    ...(env.SMSC_SIM_PASSWORD ? { password: env.SMSC_SIM_PASSWORD } : {}),
    submitRespDelayMs: num('SMSC_SIM_SUBMIT_DELAY_MS', 0),
    receiptDelayMs: num('SMSC_SIM_RECEIPT_DELAY_MS', 0),
    messageIdFormat: env.SMSC_SIM_ID_FORMAT === 'decimal' ? 'decimal' : 'hex',
  });
  console.log(
    JSON.stringify({ msg: 'smsc-sim listening', smppPort: sim.smppPort, controlPort: sim.controlPort }),
  );
  const stop = async () => {
    await sim.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
} catch (error) {
  console.error(JSON.stringify({ msg: 'smsc-sim failed to start', error: (error as Error).message }));
  process.exit(1);
}
