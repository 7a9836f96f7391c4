/**
 * CPU profiler, preloaded into each app by `npm run bench -- --profile` with
 * `NODE_OPTIONS=--import=<this file>` (Node 20 refuses `--cpu-prof` in NODE_OPTIONS, and the
 * apps are started by AppProcess without extra node flags). When MASKLINE_CPU_PROFILE_FILE
 * is set, samples every millisecond through the inspector (what `node --cpu-prof` does) and
 * writes a .cpuprofile when the process exits; a same-thread inspector session answers
 * synchronously, so the 'exit' handler can write it.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const file = process.env.MASKLINE_CPU_PROFILE_FILE;

if (file) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  process.once('exit', () => {
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(file, JSON.stringify(result.profile));
    });
  });
}
