/**
 * The SMSC simulator in its own process for `npm run bench:smpp`, so the plugin under test
 * does not share a CPU core (and an event loop) with the SMSC it is measured against.
 * Started with fork(); argv[2] is JSON of simulator options. Sends `{ port }` once
 * listening; closes and exits on the message 'close' (or when the parent goes away).
 */
import { startSmscSimulator } from '@maskline/smsc-sim';

const options = JSON.parse(process.argv[2] ?? '{}') as { submitRespDelayMs?: number };
const sim = await startSmscSimulator({ controlPort: null, recordLimit: 1000, ...options });
process.send?.({ port: sim.smppPort });
const stop = async () => {
  await sim.close();
  process.exit(0);
};
process.on('message', (message) => {
  if (message === 'close') void stop();
});
process.on('disconnect', () => void stop());
