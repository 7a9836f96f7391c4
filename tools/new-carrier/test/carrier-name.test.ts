import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CarrierExistsError, CarrierNameError, carrierNames, generateCarrier } from '../src/index.js';

describe('carrier names', () => {
  it('derives the spellings the templates use', () => {
    expect(carrierNames('acme-sms')).toEqual({ name: 'acme-sms', Name: 'AcmeSms', camelName: 'acmeSms' });
    expect(carrierNames('sinch2')).toEqual({ name: 'sinch2', Name: 'Sinch2', camelName: 'sinch2' });
  });

  it.each(['', 'Acme', '2fast', 'acme_sms', 'acme--sms', 'acme-', '-acme', 'a/b', '../x', 'x'.repeat(41)])(
    'refuses %j',
    (name) => {
      expect(() => carrierNames(name)).toThrow(CarrierNameError);
    },
  );

  it('asks for the name without the carrier- prefix', () => {
    expect(() => carrierNames('carrier-acme')).toThrow(/without "carrier-"/);
  });
});

describe('generateCarrier', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  const tempPlugins = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'new-carrier-'));
    dirs.push(dir);
    return dir;
  };

  it('writes the plugin from every template, with no placeholder left', async () => {
    const plugins = await tempPlugins();
    const { dir, files } = await generateCarrier('acme-sms', plugins);
    expect(dir).toBe(join(plugins, 'carrier-acme-sms'));
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'src/index.ts',
        'test/conformance.test.ts',
        'test/fake-peer.ts',
      ]),
    );
    for (const file of files) expect(await readFile(join(dir, file), 'utf8')).not.toMatch(/\{\{|\}\}/);
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
    expect(pkg.name).toBe('@maskline/carrier-acme-sms');
    expect(await readFile(join(dir, 'src/index.ts'), 'utf8')).toContain("id: 'acme-sms'");
  });

  it('refuses to overwrite an existing plugin and leaves it as it was', async () => {
    const plugins = await tempPlugins();
    await mkdir(join(plugins, 'carrier-acme'));
    await writeFile(join(plugins, 'carrier-acme', 'mine.txt'), 'keep');
    await expect(generateCarrier('acme', plugins)).rejects.toThrow(CarrierExistsError);
    expect(await readdir(join(plugins, 'carrier-acme'))).toEqual(['mine.txt']);
  });

  it('writes nothing for a bad name', async () => {
    const plugins = await tempPlugins();
    await expect(generateCarrier('Bad Name', plugins)).rejects.toThrow(CarrierNameError);
    expect(await readdir(plugins)).toEqual([]);
  });
});
