/**
 * The baseline of `npm run bench:ingest`: fastify with one JSON route shaped like
 * POST /v1/messages (parse the body, answer 202 with an id), nothing else. Listens on
 * PORT (0: any) at 127.0.0.1 and logs its address the way the ingest does.
 */
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.post('/v1/messages', async (request, reply) => {
  const body = request.body as { to?: unknown };
  if (typeof body?.to !== 'string') return reply.status(400).send({ error: { code: 'invalid_request' } });
  return reply.status(202).send({ id: randomUUID(), status: 'queued' });
});
const address = await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
console.log(JSON.stringify({ msg: 'bare fastify listening', address }));
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
