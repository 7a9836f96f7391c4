import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const verifier = fileURLToPath(new URL('../fixtures/verify_signature.py', import.meta.url));

/** Verifies a Maskline-Signature with the independent Python verifier: "ok" or its reason. */
export function pythonVerify(header: string, body: string, secret: string, now?: number): string {
  const args = [verifier, secret, ...(now === undefined ? [] : [String(now)])];
  const run = spawnSync('python3', args, {
    input: body,
    env: { ...process.env, MASKLINE_SIGNATURE: header },
  });
  if (run.error) throw run.error;
  return run.stdout.toString().trim();
}
