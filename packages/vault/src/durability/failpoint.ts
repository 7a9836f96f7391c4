/**
 * TEST-ONLY crash points. When MASKLINE_VAULT_FAILPOINT names the step being passed, the
 * process kills itself with SIGKILL right there (no cleanup, no flush), so a test can
 * check what a crash at exactly that point leaves behind. Never set it in production.
 *
 * Steps of `rotate-kek` with the local keyring, in order (see docs/guides/vault.md):
 * kek-added:{temp-synced,renamed,dir-synced}, kek-activated:{…}, rewrap:first-key,
 * rewrap:done, rotation-done:{…}; and kek-removed:{…} for `destroy-kek`.
 */
export const FAILPOINT_ENV = 'MASKLINE_VAULT_FAILPOINT';

export function failpoint(step: string): void {
  if (process.env[FAILPOINT_ENV] !== step) return;
  process.stderr.write(`failpoint ${step}: killing this process\n`);
  process.kill(process.pid, 'SIGKILL');
}
