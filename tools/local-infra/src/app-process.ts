import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type ProcessUsage, processUsage } from './process-usage.js';

export type AppName = 'ingest' | 'delivery-worker' | 'receipt-processor';

/** The repository root, from tools/local-infra/{src,dist}/. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export function appEntry(app: AppName): string {
  return `${REPO_ROOT}apps/${app}/dist/main.js`;
}

/** A real app process started from its build, with every line it logs kept for scanning. */
export class AppProcess {
  readonly lines: string[] = [];
  private child: ChildProcess | null = null;
  private exit: Promise<void> = Promise.resolve();

  constructor(
    readonly app: AppName,
    private readonly env: Record<string, string>,
    /** Called with every line the process prints (e.g. to write a log file). */
    private readonly onLine: (line: string) => void = () => {},
  ) {}

  async start(readyLine: RegExp, timeoutMs = 30_000): Promise<void> {
    const entry = appEntry(this.app);
    if (!existsSync(entry))
      throw new Error(`${entry} is missing: run the build first (npm test and npm start do)`);
    const child = spawn(process.execPath, [entry], {
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exit = new Promise((resolve) => child.once('exit', () => resolve()));
    let buffer = '';
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        // Never leave a half-started process behind.
        child.kill('SIGKILL');
        reject(new Error(`${this.app} not ready in ${timeoutMs} ms:\n${this.lines.join('\n')}`));
      }, timeoutMs);
      const onData = (chunk: Buffer) => {
        buffer += chunk.toString();
        let newline = buffer.indexOf('\n');
        while (newline >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          this.lines.push(line);
          this.onLine(line);
          if (readyLine.test(line)) {
            clearTimeout(timer);
            resolve();
          }
          newline = buffer.indexOf('\n');
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${this.app} exited with ${code}:\n${this.lines.join('\n')}`));
      });
    });
    await ready;
  }

  /** The running process's id: undefined before start and once it exited (a pid may be reused). */
  get pid(): number | undefined {
    const child = this.child;
    return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
  }

  /** The exit code once the process exited (null while running or when a signal ended it). */
  get exitCode(): number | null {
    return this.child?.exitCode ?? null;
  }

  /** CPU seconds and peak RSS so far (Linux); null when not running. */
  usage(): ProcessUsage | null {
    const pid = this.child?.pid;
    return pid && this.child?.exitCode === null ? processUsage(pid) : null;
  }

  /** Graceful stop (SIGTERM), or kill -9 when `hard`. */
  async stop(hard = false): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(hard ? 'SIGKILL' : 'SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await this.exit;
    clearTimeout(timer);
  }
}
