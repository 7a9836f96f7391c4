import { silentLogger } from '@maskline/core';
import { buildControlApi } from './control-api.js';
import { Faults } from './faults.js';
import { type SimulatorOptionsInput, simulatorOptionsSchema } from './options.js';
import { RecordedMessages } from './recorded-messages.js';
import { SmscServer } from './smsc-server.js';
import type { SmscSimulator } from './smsc-simulator.js';

/** Starts the SMPP server and, unless controlPort is null, the HTTP control API. */
export async function startSmscSimulator(input: SimulatorOptionsInput = {}): Promise<SmscSimulator> {
  const { logger, ...rest } = input;
  const options = simulatorOptionsSchema.parse(rest);
  const faults = new Faults();
  const recorded = new RecordedMessages(options.recordLimit);
  const server = new SmscServer(options, faults, recorded, logger ?? silentLogger);
  const smppPort = await server.listen();
  const sim: SmscSimulator = {
    host: options.host,
    smppPort,
    controlPort: null,
    injectMo: (mo) => server.injectMo(mo),
    setRules: (rules) => {
      server.rules = [...rules];
    },
    setFaults: (settings) => faults.set(settings),
    stats: () => server.stats(),
    messages: (limit) => recorded.list(limit),
    reset: () => {
      server.reset();
      faults.set({});
      recorded.clear();
    },
    close: async () => {
      await control?.close();
      await server.close();
    },
  };
  const control = options.controlPort === null ? null : buildControlApi(sim);
  if (control) {
    await control.listen({ host: options.host, port: options.controlPort ?? 0 });
    const address = control.server.address();
    sim.controlPort = typeof address === 'object' && address ? address.port : null;
  }
  return sim;
}
