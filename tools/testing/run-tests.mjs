#!/usr/bin/env node
// `npm test`: the whole suite, exactly as CI runs it.
//  1. installs Redis/PostgreSQL from Debian packages if missing (the test setup starts
//     its own instances on free loopback ports; nothing else is touched),
//  2. builds every workspace (integration tests run the real apps from dist),
//  3. lint, typecheck and architecture rules,
//  4. vitest (unit + integration), then one line: "N passed, M failed".
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
process.chdir(root);
const bin = (name) => `${root}node_modules/.bin/${name}`;

function step(title, command, args) {
  console.log(`\n=== ${title}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: process.env });
  if (result.status !== 0) {
    console.log(`\n${title} failed`);
    console.log('0 passed, 1 failed');
    process.exit(result.status ?? 1);
  }
}

step('build', bin('turbo'), ['run', 'build', '--output-logs=errors-only']);
step('install test infrastructure if missing', process.execPath, [
  '-e',
  "import('@maskline/local-infra').then(m => m.ensureInfraBinaries(l => console.log(l)))",
]);
step('lint and architecture rules', 'npm', ['run', '--silent', 'lint']);
step('typecheck', bin('turbo'), ['run', 'typecheck', '--output-logs=errors-only']);

mkdirSync('.test-results', { recursive: true });
const report = '.test-results/vitest.json';
console.log('\n=== tests');
const extra = process.argv.slice(2);
const tests = spawnSync(
  bin('vitest'),
  ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extra],
  { stdio: 'inherit', env: process.env },
);

let passed = 0;
let failed = 0;
if (existsSync(report)) {
  const json = JSON.parse(readFileSync(report, 'utf8'));
  passed = json.numPassedTests ?? 0;
  failed = json.numFailedTests ?? 0;
  // A file that failed to load counts as a failure even when it had no tests to fail.
  const brokenFiles = (json.testResults ?? []).filter(
    (r) => r.status === 'failed' && r.assertionResults?.length === 0,
  );
  failed += brokenFiles.length;
}
if (tests.status !== 0 && failed === 0) failed = 1;
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(tests.status ?? 1);
