import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const NAME = `scaffoldcheck${process.pid}`;
const DIR = join(ROOT, 'plugins', `carrier-${NAME}`);
const node = (script: string, args: string[], cwd = ROOT) =>
  run(process.execPath, [join(ROOT, script), ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });

describe('npm run new:carrier', () => {
  afterAll(async () => {
    await rm(DIR, { recursive: true, force: true });
  });

  it('generates a plugin that builds and passes its conformance test as generated', async () => {
    const created = await node('tools/new-carrier/dist/main.js', [NAME]);
    expect(created.stdout).toContain(`plugins/carrier-${NAME}/src/index.ts`);

    // Build and test at once: the test runs from sources, the build checks the types and emits dist.
    const [, tested] = await Promise.all([
      node('node_modules/typescript/bin/tsc', ['-p', 'tsconfig.build.json'], DIR),
      node('node_modules/vitest/vitest.mjs', ['run', '--project', 'unit', `plugins/carrier-${NAME}`]),
    ]);
    expect(await readFile(join(DIR, 'dist/index.js'), 'utf8')).toContain(`id: '${NAME}'`);
    expect(tested.stdout).toMatch(/Tests\s+\d+ passed/);
    expect(tested.stdout).not.toMatch(/failed|skipped/);

    const again = await node('tools/new-carrier/dist/main.js', [NAME]).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(again).toMatchObject({ code: 1, stderr: expect.stringContaining('already exists') });
  });
});
