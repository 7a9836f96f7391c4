/**
 * `npm run bench:webhooks`: what one signed webhook POST costs the sender. A receiver in a
 * child process (so its work is not counted) answers 204 at once; the sender POSTs a
 * message.status-sized signed body through one endpoint's kept-alive pool (EndpointAgents,
 * as the dispatcher does) at a given concurrency, and reports POSTs/s and the sender's CPU
 * per POST (user and system). Options: --posts N (default 20000), --concurrency N (16).
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { EndpointAgents, postWebhook, SIGNATURE_HEADER, signatureHeader } from '@maskline/webhooks';

const RECEIVER = `
const http = require('node:http');
const server = http.createServer((req, res) => { req.resume(); req.on('end', () => res.writeHead(204).end()); });
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
`;

async function startReceiver(): Promise<{ port: number; stop: () => void }> {
  const child = spawn(process.execPath, ['-e', RECEIVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    child.once('exit', (code) => reject(new Error(`receiver exited with ${code}`)));
  });
  return { port, stop: () => child.kill() };
}

function envelope(i: number): string {
  return JSON.stringify({
    id: `5b2f0c1e-0000-4000-8000-${String(i).padStart(12, '0')}`,
    type: 'message.status',
    created_at: new Date().toISOString(),
    tenant_id: '0d4c8a61-7c3b-4e52-9a0e-2f6f1c9b7e10',
    sequence: i,
    data: {
      messageId: `9c1d2e3f-0000-4000-8000-${String(i).padStart(12, '0')}`,
      status: 'delivered',
      carrierId: 'smsc-sim',
      segments: 1,
      errorCode: null,
      at: new Date().toISOString(),
    },
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { posts: { type: 'string', default: '20000' }, concurrency: { type: 'string', default: '16' } },
  });
  const posts = Number(values.posts);
  const concurrency = Number(values.concurrency);
  const receiver = await startReceiver();
  const url = new URL(`http://hooks.bench:${receiver.port}/maskline`);
  const target = { url, host: url.hostname, addresses: [{ address: '127.0.0.1', family: 4 as const }] };
  const agents = new EndpointAgents();
  const pool = agents.for('bench-endpoint', target, concurrency);
  const secret = 'whsec_bench_secret_not_used_anywhere_else_0123456789';
  const post = async (i: number): Promise<void> => {
    const body = envelope(i);
    const headers = {
      [SIGNATURE_HEADER]: signatureHeader([secret], body, Math.floor(Date.now() / 1000)),
      'maskline-event-id': String(i),
    };
    const result = await postWebhook(target, body, headers, 5_000, pool);
    if (result.status !== 204) throw new Error(`POST ${i}: ${result.status} ${result.errorClass}`);
  };
  const run = async (n: number): Promise<void> => {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < n) await post(next++);
      }),
    );
  };
  await run(Math.min(2_000, posts)); // warm-up: connections open, code optimized
  const cpu = process.cpuUsage();
  const started = performance.now();
  await run(posts);
  const used = process.cpuUsage(cpu);
  const seconds = (performance.now() - started) / 1000;
  agents.close();
  receiver.stop();
  const perPost = (us: number) => (us / posts).toFixed(1);
  console.log(`webhook POSTs: ${posts} at concurrency ${concurrency}, signed, kept-alive pool`);
  console.log(`| POSTs/s | sender CPU µs/POST | user | system |`);
  console.log(`| ---: | ---: | ---: | ---: |`);
  console.log(
    `| ${Math.round(posts / seconds)} | ${perPost(used.user + used.system)} | ${perPost(used.user)} | ${perPost(used.system)} |`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
