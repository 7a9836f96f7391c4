#!/usr/bin/env node
/**
 * `npm run chaos`: the fault drill. For each fault (and run) it starts the whole stack as
 * separate processes, sends N messages at the offered rate with idempotent retries,
 * injects the fault at the given point, and reports what it cost (see docs/reliability.md).
 * Exits 1 when a run misses a target, 2 on a usage error. `--help` lists the options.
 */
import type { DrillResult } from './analysis.js';
import { runDrill } from './drill.js';
import { parseChaosArgs, USAGE, UsageError } from './options.js';
import { renderJson, renderTable } from './report.js';

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stopping = true;
    // The reaper's exit handler kills every process the drill started.
    process.exit(130);
  });
}

try {
  const options = parseChaosArgs(argv);
  const log = (line: string) => console.error(`[chaos] ${line}`);
  const results: DrillResult[] = [];
  for (const fault of options.faults) {
    for (let run = 1; run <= options.runs && !stopping; run++) {
      log(`${fault} run ${run}/${options.runs}: ${options.messages} messages at ${options.rate}/s`);
      const result = await runDrill({ ...options, fault, log });
      results.push(result);
      log(renderTable([result]).split('\n').at(-1) ?? '');
    }
  }
  console.log(options.json ? renderJson(results) : renderTable(results));
  process.exit(results.every((r) => r.missed.length === 0) ? 0 : 1);
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
}
