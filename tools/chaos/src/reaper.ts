import { rmSync } from 'node:fs';

/**
 * Every process a drill starts is registered here, so that whatever ends the drill (a
 * failure, Ctrl-C, an uncaught error, the test runner exiting) kills all of them: nothing
 * is left behind. `process.on('exit')` handlers run synchronously, and kill() is. Temp
 * dirs registered here are removed after the kills.
 */
const live = new Set<() => number | undefined>();
const dirs = new Set<string>();
let installed = false;

function killAll(): void {
  for (const pid of live) {
    const id = pid();
    if (id === undefined) continue;
    try {
      process.kill(id, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function onExit(): void {
  killAll();
  for (const dir of dirs) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // leave it: exiting matters more
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', onExit);
}

/** Registers a temp dir to remove on exit; returns the unregister (e.g. to keep it). */
export function removeOnExit(dir: string): () => void {
  install();
  dirs.add(dir);
  return () => dirs.delete(dir);
}

/** Registers a process (by a function reading its current pid); returns the unregister. */
export function reapOnExit(pid: () => number | undefined): () => void {
  install();
  live.add(pid);
  return () => live.delete(pid);
}

/** Kills every registered process now (the drill's last resort after a failed stop). */
export function reapNow(): void {
  killAll();
}
