/**
 * Every process a drill starts is registered here, so that whatever ends the drill (a
 * failure, Ctrl-C, an uncaught error, the test runner exiting) kills all of them: nothing
 * is left behind. `process.on('exit')` handlers run synchronously, and kill() is.
 */
const live = new Set<() => number | undefined>();
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

/** Registers a process (by a function reading its current pid); returns the unregister. */
export function reapOnExit(pid: () => number | undefined): () => void {
  if (!installed) {
    installed = true;
    process.on('exit', killAll);
  }
  live.add(pid);
  return () => live.delete(pid);
}

/** Kills every registered process now (the drill's last resort after a failed stop). */
export function reapNow(): void {
  killAll();
}
