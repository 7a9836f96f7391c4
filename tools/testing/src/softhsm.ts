import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDebianPackages } from '@maskline/local-infra';

/** Debian's SoftHSM2 PKCS#11 module. */
export const SOFTHSM_LIBRARY = '/usr/lib/softhsm/libsofthsm2.so';

export interface SoftHsm {
  /** The SOFTHSM2_CONF file that points SoftHSM2 at this private token directory. */
  conf: string;
  env: { SOFTHSM2_CONF: string };
  /** Remove the token, as if the HSM was unplugged. */
  deleteToken(label: string): void;
}

/** A SoftHSM2 token in a private directory: the HSM of a test (installs softhsm2 when missing). */
export function initSoftHsm(label: string, pin = '1234'): SoftHsm {
  ensureDebianPackages([{ name: 'softhsm2', present: () => existsSync(SOFTHSM_LIBRARY) }], (line) =>
    console.log(line),
  );
  const dir = mkdtempSync(join(tmpdir(), 'softhsm-'));
  mkdirSync(join(dir, 'tokens'));
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(
    conf,
    `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`,
  );
  const env = { ...process.env, SOFTHSM2_CONF: conf };
  execFileSync(
    'softhsm2-util',
    ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', '5678'],
    {
      env,
      stdio: 'ignore',
    },
  );
  return {
    conf,
    env: { SOFTHSM2_CONF: conf },
    deleteToken: (token) =>
      execFileSync('softhsm2-util', ['--delete-token', '--token', token], { env, stdio: 'ignore' }),
  };
}
