import { existsSync } from 'node:fs';
import { ensureDebianPackages } from './binaries.js';

export function findPromtool(): string | null {
  for (const dir of ['/usr/bin', '/usr/local/bin']) {
    if (existsSync(`${dir}/promtool`)) return `${dir}/promtool`;
  }
  return null;
}

/** Finds promtool, installing Debian's `prometheus` (apt-get) when it is missing. */
export function ensurePromtool(log: (line: string) => void = () => {}): string {
  ensureDebianPackages([{ name: 'prometheus', present: () => findPromtool() !== null }], log);
  const found = findPromtool();
  if (!found) throw new Error('promtool still missing after installing prometheus');
  return found;
}
