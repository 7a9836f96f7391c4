#!/usr/bin/env node
/**
 * `node tools/smsc-sim/dist/main.js`: the simulator as its own process, configured by the
 * environment (see env.ts and the README). Prints one JSON line when listening; warnings
 * and errors go to stderr as JSON lines.
 */
import type { LogFields, Logger } from '@maskline/core';
import { optionsFromEnv } from './env.js';
import { startSmscSimulator } from './simulator.js';

function stderrLogger(bindings: LogFields = {}): Logger {
  const write = (level: string) => (fields: LogFields, msg: string) =>
    console.error(JSON.stringify({ level, time: new Date().toISOString(), ...bindings, ...fields, msg }));
  return {
    debug: () => {},
    info: () => {},
    warn: write('warn'),
    error: write('error'),
    child: (more) => stderrLogger({ ...bindings, ...more }),
  };
}

try {
  const sim = await startSmscSimulator({ ...optionsFromEnv(process.env), logger: stderrLogger() });
  console.log(
    JSON.stringify({
      msg: 'smsc-sim listening',
      host: sim.host,
      smppPort: sim.smppPort,
      controlPort: sim.controlPort,
    }),
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    sim.close().then(
      () => {
        console.log(JSON.stringify({ msg: 'smsc-sim stopped', signal }));
        process.exit(0);
      },
      (error: unknown) => {
        console.error(JSON.stringify({ msg: 'smsc-sim failed to stop', error: String(error) }));
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
} catch (error) {
  console.error(
    JSON.stringify({
      msg: 'smsc-sim failed to start',
      error: error instanceof Error ? error.message : String(error),
    }),
  );
  process.exit(1);
}
