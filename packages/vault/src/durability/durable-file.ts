import {
  closeSync,
  fchmodSync,
  fsyncSync,
  linkSync,
  openSync,
  readdirSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { failpoint } from './failpoint.js';

/**
 * Replace `path` with `content` so that a crash or power loss at any point leaves either
 * the old file or the new one, and once this returns the new one survives a power loss:
 * write a temporary file in the same folder, fsync it, rename it over the target, fsync
 * the folder (the rename is a change of the folder). `step` names the write for the
 * test-only failpoints (`<step>:temp-synced`, `<step>:renamed`, `<step>:dir-synced`).
 */
export function writeFileDurably(path: string, content: string, mode: number, step: string): void {
  const temporary = writeTemporary(path, content, mode);
  failpoint(`${step}:temp-synced`);
  renameSync(temporary, path);
  failpoint(`${step}:renamed`);
  syncFolder(path);
  failpoint(`${step}:dir-synced`);
}

/**
 * Create `path` with `content` durably unless it exists (two processes starting at once:
 * the first one wins, the other keeps what is there). Returns false when it existed.
 */
export function createFileDurably(path: string, content: string, mode: number): boolean {
  const temporary = writeTemporary(path, content, mode);
  try {
    linkSync(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  } finally {
    unlinkSync(temporary);
  }
  syncFolder(path);
  return true;
}

function writeTemporary(path: string, content: string, mode: number): string {
  removeStaleTemporaries(path);
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w', mode);
  try {
    fchmodSync(fd, mode);
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return temporary;
}

function syncFolder(path: string): void {
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/** Temporaries an interrupted writer left behind (they may hold secrets): remove them. */
function removeStaleTemporaries(path: string): void {
  const prefix = `${basename(path)}.`;
  for (const name of readdirSync(dirname(path))) {
    const pid = name.startsWith(prefix) && name.endsWith('.tmp') ? name.slice(prefix.length, -4) : '';
    if (/^\d+$/.test(pid) && Number(pid) !== process.pid) {
      try {
        unlinkSync(join(dirname(path), name));
      } catch {
        // another cleaner got there first
      }
    }
  }
}
