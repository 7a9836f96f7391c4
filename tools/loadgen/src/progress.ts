/**
 * Live progress on stderr: a redrawn bar when stderr is a terminal, a plain line every few
 * seconds otherwise (CI logs, pipes).
 */
export interface ProgressState {
  label: string;
  total: number;
  accepted: number;
  delivered: number;
  elapsedMs: number;
}

/** `[####------] 40%` for done of total, `width` cells wide. */
export function bar(done: number, total: number, width = 24): string {
  const share = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const filled = Math.round(share * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(share * 100)).padStart(3)}%`;
}

/** One progress line: accepted and delivered counts, rates so far, elapsed time. */
export function progressLine(s: ProgressState, withBar: boolean): string {
  const seconds = s.elapsedMs / 1000;
  const rate = (n: number) => (seconds > 0 ? Math.round(n / seconds) : 0);
  const counts = `accepted ${s.accepted}/${s.total} (${rate(s.accepted)}/s), delivered ${s.delivered}/${s.total} (${rate(s.delivered)}/s), ${seconds.toFixed(1)} s`;
  return withBar ? `${s.label} ${bar(s.delivered, s.total)} ${counts}` : `${s.label}: ${counts}`;
}

export interface Progress {
  stop(): void;
}

/** Reports `read()` every 200 ms on a TTY (redrawn), every `plainEveryMs` otherwise. */
export function startProgress(
  read: () => ProgressState,
  stream: NodeJS.WriteStream = process.stderr,
  plainEveryMs = 5_000,
): Progress {
  const tty = stream.isTTY === true;
  const draw = () => {
    const line = progressLine(read(), tty);
    if (tty) stream.write(`\r\x1b[2K${line.slice(0, Math.max(20, (stream.columns || 120) - 1))}`);
    else stream.write(`${line}\n`);
  };
  const timer = setInterval(draw, tty ? 200 : plainEveryMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      draw();
      if (tty) stream.write('\n');
    },
  };
}
