import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./net-smpp-smsc.pl', import.meta.url));

/** One event line of the Perl SMSC, split into words. */
export type SmscEvent = string[];

/** Drives test/interop/net-smpp-smsc.pl (Net::SMPP) over stdin/stdout. */
export class NetSmppSmsc {
  readonly events: SmscEvent[] = [];
  readonly #waiters = new Set<() => void>();
  #exited = false;

  private constructor(
    readonly child: ChildProcessWithoutNullStreams,
    readonly port: number,
  ) {
    child.once('exit', () => {
      this.#exited = true;
      this.#wake();
    });
  }

  static start(): Promise<NetSmppSmsc> {
    const child = spawn('perl', [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    return new Promise((resolve, reject) => {
      let smsc: NetSmppSmsc | undefined;
      const lines = createInterface({ input: child.stdout });
      lines.on('line', (line) => {
        const words = line.trim().split(/\s+/);
        if (!smsc) {
          if (words[0] === 'LISTENING') {
            smsc = new NetSmppSmsc(child, Number(words[1]));
            resolve(smsc);
          }
          return;
        }
        smsc.events.push(words);
        smsc.#wake();
      });
      child.once('exit', (code) => {
        if (!smsc) reject(new Error(`net-smpp-smsc.pl exited (${code}): ${stderr.trim()}`));
      });
    });
  }

  /** Events of one kind (first word), words after it. */
  of(kind: string): string[][] {
    return this.events.filter((e) => e[0] === kind).map((e) => e.slice(1));
  }

  send(command: string): void {
    this.child.stdin.write(`${command}\n`);
  }

  async waitFor<T>(find: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found !== undefined && found !== false) return found;
      if (this.#exited) throw new Error('net-smpp-smsc.pl exited');
      if (Date.now() > deadline)
        throw new Error(`waitFor timed out; events: ${JSON.stringify(this.events.slice(-10))}`);
      await new Promise<void>((resolve) => {
        this.#waiters.add(resolve);
        setTimeout(resolve, 20);
      });
    }
  }

  async stop(): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.end('QUIT\n');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }

  #wake(): void {
    for (const wake of this.#waiters) wake();
    this.#waiters.clear();
  }
}
