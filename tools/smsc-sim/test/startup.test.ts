import { createServer } from 'node:net';
import { MasklineError } from '@maskline/core';
import { describe, expect, it } from 'vitest';
import { startSmscSimulator } from '../src/index.js';

describe('startSmscSimulator', () => {
  it('starts on free ports by default and closes idempotently', async () => {
    const sim = await startSmscSimulator();
    expect(sim.host).toBe('127.0.0.1');
    expect(sim.smppPort).toBeGreaterThan(0);
    expect(sim.controlPort).toBeGreaterThan(0);
    expect(sim.controlPort).not.toBe(sim.smppPort);
    await Promise.all([sim.close(), sim.close()]);
    const health = fetch(`http://127.0.0.1:${sim.controlPort}/health`);
    await expect(health).rejects.toThrow();
  });

  it('rejects invalid options, naming the field', async () => {
    const attempt = startSmscSimulator({ smppPort: 70_000, messageIdFormat: 'uuid' as 'hex' });
    await expect(attempt).rejects.toThrow(MasklineError);
    await expect(attempt).rejects.toThrow(/smppPort.*messageIdFormat|messageIdFormat.*smppPort/);
  });

  it('fails with the listen error when a port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(startSmscSimulator({ smppPort: port })).rejects.toThrow(/EADDRINUSE/);
      await expect(startSmscSimulator({ smppPort: 0, controlPort: port })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
