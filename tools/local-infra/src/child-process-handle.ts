import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';

/** A long-running child process we started and must stop. */
export interface ProcessHandle {
  readonly process: ChildProcess;
  /** Resolves when the process has exited. */
  readonly exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<void>;
  /** The last lines the process printed, for error messages. */
  output(): string;
}

export function startProcess(command: string, args: string[], options: SpawnOptions = {}): ProcessHandle {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 200) output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(-1));
  });
  return {
    process: child,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
    output: () => output.join(''),
  };
}

export async function waitFor(
  check: () => Promise<boolean>,
  what: string,
  handle: ProcessHandle,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (handle.process.exitCode !== null) {
      throw new Error(`${what} exited with code ${handle.process.exitCode}:\n${handle.output()}`);
    }
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} not ready after ${timeoutMs} ms:\n${handle.output()}`);
}
