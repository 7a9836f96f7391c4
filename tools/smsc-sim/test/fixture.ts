import type { Socket } from 'node:net';
import { afterEach } from 'vitest';
import { type SmscSimulator, type SmscSimulatorOptions, startSmscSimulator } from '../src/index.js';
import { rawSocket, TestClient } from './smpp-test-client.js';

/** Simulators and clients started in a test, all closed after it. */
export function useSimulators() {
  const sims: SmscSimulator[] = [];
  const clients: TestClient[] = [];
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(sims.splice(0).map((s) => s.close()));
  });
  return {
    async start(options: SmscSimulatorOptions = {}): Promise<SmscSimulator> {
      const sim = await startSmscSimulator({ controlPort: null, ...options });
      sims.push(sim);
      return sim;
    },
    async bind(
      sim: SmscSimulator,
      ...args: Parameters<typeof TestClient.bind> extends [number, ...infer R] ? R : never
    ) {
      const result = await TestClient.bind(sim.smppPort, ...args);
      clients.push(result.client);
      return result;
    },
    async open(sim: SmscSimulator): Promise<TestClient> {
      const client = await TestClient.open(sim.smppPort);
      clients.push(client);
      return client;
    },
    async raw(sim: SmscSimulator): Promise<Socket> {
      const socket = await rawSocket(sim.smppPort);
      sockets.push(socket);
      return socket;
    },
  };
}
