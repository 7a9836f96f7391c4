import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CarrierNames, carrierNames } from './carrier-name.js';

/** The templates ship beside src/ and dist/. */
export const TEMPLATES_DIR = fileURLToPath(new URL('../templates/', import.meta.url));

export class CarrierExistsError extends Error {
  override name = 'CarrierExistsError';
}

export interface GeneratedCarrier {
  names: CarrierNames;
  /** The new plugin's folder. */
  dir: string;
  /** Its files, relative to dir. */
  files: string[];
}

/**
 * Write plugins/carrier-<name> from the templates: every `*.tmpl` file with {{name}},
 * {{Name}} and {{camelName}} filled in. Refuses a bad name (CarrierNameError) and an
 * existing folder (CarrierExistsError); writes nothing then.
 */
export async function generateCarrier(input: string, pluginsDir: string): Promise<GeneratedCarrier> {
  const names = carrierNames(input);
  const dir = join(pluginsDir, `carrier-${names.name}`);
  if (await exists(dir))
    throw new CarrierExistsError(`${relative(process.cwd(), dir) || dir} already exists`);
  const templates = await listTemplates(TEMPLATES_DIR);
  const files: string[] = [];
  for (const template of templates) {
    const target = join(dir, template.replace(/\.tmpl$/, ''));
    await mkdir(dirname(target), { recursive: true });
    const text = await readFile(join(TEMPLATES_DIR, template), 'utf8');
    await writeFile(target, fill(text, names), { flag: 'wx' });
    files.push(relative(dir, target));
  }
  return { names, dir, files: files.sort() };
}

export function fill(text: string, names: CarrierNames): string {
  return text.replace(/\{\{(name|Name|camelName)\}\}/g, (_, key: keyof CarrierNames) => names[key]);
}

async function listTemplates(root: string, under = ''): Promise<string[]> {
  const entries = await readdir(join(root, under), { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => {
      const path = join(under, entry.name);
      if (entry.isDirectory()) return listTemplates(root, path);
      return Promise.resolve(entry.name.endsWith('.tmpl') ? [path] : []);
    }),
  );
  return nested.flat();
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
