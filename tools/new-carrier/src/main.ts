import { execFileSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CarrierNameError } from './carrier-name.js';
import { CarrierExistsError, generateCarrier } from './generate.js';

/** `npm run new:carrier -- <name>`: create plugins/carrier-<name> in this repository. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PLUGINS_DIR = join(ROOT, 'plugins');

/** Long names move line breaks: format the new files with the repo's biome (best effort). */
function format(dir: string): void {
  try {
    execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules/@biomejs/biome/bin/biome'), 'format', '--write', dir],
      {
        stdio: 'ignore',
      },
    );
  } catch {
    console.warn('new:carrier: could not run biome format; run `npx biome format --write` on the new folder');
  }
}

async function main(args: string[]): Promise<number> {
  if (args.length !== 1 || args[0] === '--help' || args[0] === '-h') {
    console.error('usage: npm run new:carrier -- <name>   (creates plugins/carrier-<name>)');
    return 2;
  }
  try {
    const { dir, files } = await generateCarrier(args[0]!, PLUGINS_DIR);
    format(dir);
    const where = relative(process.cwd(), dir);
    console.log(`created ${where}:`);
    for (const file of files) console.log(`  ${join(where, file)}`);
    console.log(
      `\nnext:\n  npm install\n  npx vitest run --project unit ${where}\nthen read docs/plugins.md`,
    );
    return 0;
  } catch (error) {
    if (error instanceof CarrierNameError || error instanceof CarrierExistsError) {
      console.error(`new:carrier: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
