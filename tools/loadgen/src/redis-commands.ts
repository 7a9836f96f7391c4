import { connect } from 'node:net';

/**
 * Redis's own command counters (INFO commandstats) around a run: how many commands the
 * apps sent per delivered message, by command. Spoken as RESP inline commands over a plain
 * socket (the harness has no Redis client of its own); each answer is read to its end.
 */

export interface RedisCommandCount {
  command: string;
  calls: number;
}

/** Sends one inline command and returns the reply's payload (a status or a bulk string). */
function ask(url: string, command: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port || 6379), hostname);
    let data = '';
    const done = (error: Error | null, value = '') => {
      socket.destroy();
      if (error) reject(error);
      else resolve(value);
    };
    socket.setTimeout(5_000, () => done(new Error(`redis ${command}: no answer`)));
    socket.on('error', (e) => done(e));
    socket.on('data', (chunk) => {
      data += chunk.toString('utf8');
      if (data.startsWith('-')) return done(new Error(`redis ${command}: ${data.trim()}`));
      if (data.startsWith('+')) return data.endsWith('\r\n') ? done(null, data.slice(1, -2)) : undefined;
      const header = data.indexOf('\r\n');
      if (data.startsWith('$') && header > 0) {
        const length = Number(data.slice(1, header));
        const body = Buffer.from(data.slice(header + 2), 'utf8');
        if (body.length >= length + 2) done(null, body.subarray(0, length).toString('utf8'));
      }
    });
    socket.write(`${command}\r\n`);
  });
}

/** Clears the counters; false when the server refused. */
export async function resetRedisCommands(url: string): Promise<boolean> {
  try {
    await ask(url, 'CONFIG RESETSTAT');
    return true;
  } catch {
    return false;
  }
}

/** Parses `INFO commandstats` (cmdstat_<name>:calls=N,...), most called first. */
export function parseCommandStats(info: string): RedisCommandCount[] {
  const out: RedisCommandCount[] = [];
  for (const line of info.split(/\r?\n/)) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
    if (match) out.push({ command: match[1]!, calls: Number(match[2]) });
  }
  return out.sort((a, b) => b.calls - a.calls);
}

export async function readRedisCommands(url: string): Promise<RedisCommandCount[] | null> {
  try {
    return parseCommandStats(await ask(url, 'INFO commandstats'));
  } catch {
    return null;
  }
}

/** One report line: commands per delivered message, in all and for the most called. */
export function redisCommandsLine(counts: readonly RedisCommandCount[], delivered: number, top = 8): string {
  const total = counts.reduce((n, c) => n + c.calls, 0);
  const per = (n: number) => (delivered > 0 ? n / delivered : 0).toFixed(2);
  const listed = counts
    .slice(0, top)
    .map((c) => `${c.command} ${per(c.calls)}`)
    .join(', ');
  return `Redis (INFO commandstats): ${per(total)} commands per delivered message (${total.toLocaleString('en-US')} in all); most called: ${listed}.`;
}
