import { spawnSync } from 'node:child_process';
import { ensureDebianPackages } from './binaries.js';

/**
 * Net::SMPP (Debian package libnet-smpp-perl): a Perl SMPP implementation that shares no
 * code with the `smpp` npm package. The SMPP plugin's interop tests run a small SMSC on it.
 */
export const NET_SMPP_DEBIAN_PACKAGE = 'libnet-smpp-perl';

/** True when `perl -MNet::SMPP` loads. */
export function hasNetSmpp(perl = 'perl'): boolean {
  return spawnSync(perl, ['-MNet::SMPP', '-e', '1'], { stdio: 'ignore' }).status === 0;
}

/**
 * Make sure Net::SMPP is installed, installing libnet-smpp-perl with apt-get when it is
 * missing (as root or with passwordless sudo; otherwise the error says what to install).
 */
export function ensureNetSmpp(log: (line: string) => void = () => {}): void {
  ensureDebianPackages([{ name: NET_SMPP_DEBIAN_PACKAGE, present: () => hasNetSmpp() }], log);
}
