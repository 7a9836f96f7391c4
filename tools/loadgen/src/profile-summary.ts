#!/usr/bin/env node
/**
 * `node tools/loadgen/dist/profile-summary.js FILE.cpuprofile [TOP]`: self time by package
 * and by function of a CPU profile (e.g. .bench/profiles/ingest.cpuprofile from
 * `npm run bench -- --profile`), as markdown tables.
 */
import { readFileSync } from 'node:fs';
import { type CpuProfile, profileTable, summarizeProfile } from './cpu-profile.js';

const [file, top = '20'] = process.argv.slice(2);
if (!file) {
  console.error('usage: profile-summary FILE.cpuprofile [TOP]');
  process.exit(2);
}
const summary = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, Number(top));
console.log(`${summary.durationMs.toFixed(0)} ms sampled, ${summary.busyMs.toFixed(0)} ms not idle.\n`);
console.log(`${profileTable(summary.byPackage, 'package')}\n`);
console.log(`${profileTable(summary.byCallingPackage, 'package, node internals charged to their caller')}\n`);
console.log(profileTable(summary.topFunctions));
