import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MasklineError } from '@maskline/core';
import { describe, expect, it } from 'vitest';
import { loadCarriers, requireConfiguredCarrier } from '../src/carriers-file.js';

const dir = mkdtempSync(join(tmpdir(), 'carriers-file-'));
let files = 0;
function file(name: string, text: string): string {
  const path = join(dir, `${files++}-${name}`);
  writeFileSync(path, text);
  return path;
}

/** The config_invalid message loadCarriers throws. */
function failure(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(MasklineError);
    expect((error as MasklineError).code).toBe('config_invalid');
    return (error as Error).message;
  }
  throw new Error('expected a config error');
}

const YAML = `
# Two carriers; the SMPP password comes from a file.
carriers:
  - id: sim
    plugin: smpp
    tps: 50
    regions: [eu]
    secrets:
      password: { file: /run/secrets/sim-password }
    config:
      host: smsc.example
      port: 2775
      systemId: maskline
  - id: backup
    plugin: smpp
    secrets:
      password: { env: BACKUP_SMPP_PASSWORD }
    config: { host: backup.example, systemId: maskline }
`;

describe('loadCarriers', () => {
  it('reads a YAML carriers file, filling the defaults', () => {
    const carriers = loadCarriers({ CARRIERS_FILE: file('carriers.yaml', YAML) });
    expect(carriers).toEqual([
      {
        id: 'sim',
        plugin: 'smpp',
        tps: 50,
        concurrency: 64,
        regions: ['eu'],
        secrets: { password: { file: '/run/secrets/sim-password' } },
        config: { host: 'smsc.example', port: 2775, systemId: 'maskline' },
      },
      {
        id: 'backup',
        plugin: 'smpp',
        tps: 0,
        concurrency: 64,
        regions: [],
        secrets: { password: { env: 'BACKUP_SMPP_PASSWORD' } },
        config: { host: 'backup.example', systemId: 'maskline' },
      },
    ]);
    expect(loadCarriers({ CARRIERS_FILE: file('carriers.yml', YAML) })).toHaveLength(2);
  });

  it('reads a JSON carriers file and inline CARRIERS alike', () => {
    const list = [{ id: 'sim', plugin: 'smpp', config: { host: 'h' } }];
    const fromFile = loadCarriers({
      CARRIERS_FILE: file('carriers.json', JSON.stringify({ carriers: list })),
    });
    const inline = loadCarriers({ CARRIERS: JSON.stringify(list) });
    expect(fromFile).toEqual(inline);
    expect(inline[0]).toMatchObject({ id: 'sim', plugin: 'smpp', tps: 0, secrets: {} });
  });

  it('refuses both sources, or neither', () => {
    const path = file('carriers.yaml', YAML);
    expect(failure(() => loadCarriers({ CARRIERS_FILE: path, CARRIERS: '[]' }))).toMatch(
      /CARRIERS and CARRIERS_FILE are both set/,
    );
    expect(failure(() => loadCarriers({}))).toMatch(/set CARRIERS_FILE .* or CARRIERS/);
    // An empty variable counts as unset.
    expect(loadCarriers({ CARRIERS_FILE: '', CARRIERS: '[{"id":"sim","plugin":"smpp"}]' })).toHaveLength(1);
    expect(failure(() => loadCarriers({ CARRIERS_FILE: '', CARRIERS: '' }))).toMatch(
      /No carriers configured/,
    );
  });

  it('names the carrier and the field of every invalid entry', () => {
    const path = file(
      'carriers.yaml',
      `carriers:
  - id: sim
    plugin: smpp
    tps: fast
  - id: backup
    plugin: smpp
    secrets:
      password: { vault: x }
  - plugin: smpp
`,
    );
    const message = failure(() => loadCarriers({ CARRIERS_FILE: path }));
    expect(message).toMatch(/^carriers file: carrier "sim": tps: .*expected number/);
    expect(message).toContain('carrier "backup": secrets.password:');
    expect(message).toContain('carrier #3: id:');
  });

  it('refuses an unknown key (a typo or an inline secret) instead of dropping it', () => {
    const message = failure(() =>
      loadCarriers({ CARRIERS: JSON.stringify([{ id: 'sim', plugin: 'smpp', password: 'hunter22' }]) }),
    );
    expect(message).toMatch(/^CARRIERS: carrier "sim": \(entry\): .*"password"/);
    expect(message).not.toContain('hunter22');
  });

  it('refuses a carrier listed twice, and an empty list', () => {
    const twice = JSON.stringify([
      { id: 'sim', plugin: 'smpp' },
      { id: 'sim', plugin: 'smpp' },
    ]);
    expect(failure(() => loadCarriers({ CARRIERS: twice }))).toBe(
      'CARRIERS: carrier "sim": listed more than once',
    );
    expect(failure(() => loadCarriers({ CARRIERS: '[]' }))).toBe('CARRIERS: lists no carrier.');
  });

  it('never quotes the file when it does not parse, and says where', () => {
    const yaml = failure(() =>
      loadCarriers({ CARRIERS_FILE: file('bad.yaml', 'carriers:\n  - id: sim\n    password: "hunter22\n') }),
    );
    expect(yaml).toMatch(/^carriers file: .*bad\.yaml is not valid YAML \(line \d+\)\.$/);
    expect(yaml).not.toContain('hunter22');
    const json = failure(() => loadCarriers({ CARRIERS_FILE: file('bad.json', '{"carriers": [hunter22') }));
    expect(json).toMatch(/is not valid JSON/);
    expect(json).not.toContain('hunter22');
    const inline = failure(() => loadCarriers({ CARRIERS: '[{"password": hunter22' }));
    expect(inline).toBe('CARRIERS: must be a JSON array of carriers.');
  });

  it('refuses a missing file, another extension, and a file without `carriers:`', () => {
    expect(failure(() => loadCarriers({ CARRIERS_FILE: join(dir, 'none.yaml') }))).toMatch(
      /cannot read .*none\.yaml \(ENOENT\)/,
    );
    expect(failure(() => loadCarriers({ CARRIERS_FILE: file('carriers.toml', '') }))).toMatch(
      /must end in \.yaml, \.yml or \.json/,
    );
    expect(failure(() => loadCarriers({ CARRIERS_FILE: file('list.yaml', '- id: sim\n') }))).toMatch(
      /`carriers:`/,
    );
  });
});

describe('requireConfiguredCarrier', () => {
  const carriers = loadCarriers({ CARRIERS: '[{"id":"sim","plugin":"smpp"},{"id":"eu","plugin":"smpp"}]' });

  it('accepts a configured carrier and names the others when it is not one', () => {
    expect(() => requireConfiguredCarrier(carriers, 'eu', 'DEFAULT_CARRIER')).not.toThrow();
    expect(failure(() => requireConfiguredCarrier(carriers, 'smi', 'DEFAULT_CARRIER'))).toBe(
      'DEFAULT_CARRIER: "smi" is not a configured carrier (configured: sim, eu).',
    );
  });
});
