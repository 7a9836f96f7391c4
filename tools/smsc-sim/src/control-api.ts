import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SmscSimulator } from './smsc-simulator.js';

const moSchema = z.object({
  from: z.string().min(1).max(21),
  to: z.string().min(1).max(21),
  text: z.string().max(1600),
  systemId: z.string().max(15).optional(),
});
const rulesSchema = z.array(
  z.object({
    destinationSuffix: z.string().max(21).optional(),
    bodyPattern: z.string().max(200).optional(),
    stat: z.enum(['DELIVRD', 'UNDELIV', 'EXPIRED', 'REJECTD']),
    err: z
      .string()
      .regex(/^\d{3}$/)
      .optional(),
  }),
);
const count = z.number().int().min(0).optional();
const faultsSchema = z.object({
  throttleNext: count,
  throttleRatio: z.number().min(0).max(1).optional(),
  queueFullNext: count,
  dropResponsesNext: count,
  disconnectAfter: z.number().int().min(1).optional(),
  rejectNext: count,
  rejectStatus: z.number().int().min(1).max(0xffff).optional(),
});

function invalid(message: string) {
  return { error: { code: 'invalid_request', message } };
}

/** The simulator's HTTP control API (loopback only): MO injection, rules, faults, stats. */
export function buildControlApi(sim: SmscSimulator): FastifyInstance {
  const app = Fastify({ logger: false });
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    void reply
      .status(error.statusCode && error.statusCode < 500 ? error.statusCode : 500)
      .send(invalid('bad request'));
  });
  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/stats', async () => sim.stats());
  app.get<{ Querystring: { limit?: string } }>('/messages', async (request) => {
    const limit = Math.min(10_000, Math.max(1, Number(request.query.limit ?? 100) || 100));
    return sim.messages(limit);
  });
  app.post('/mo', async (request, reply) => {
    const parsed = moSchema.safeParse(request.body);
    if (!parsed.success) return reply.status(400).send(invalid('body must be {from, to, text}'));
    try {
      const status = await sim.injectMo(parsed.data);
      return { delivered: status === 0, commandStatus: status };
    } catch (error) {
      return reply.status(409).send({ error: { code: 'no_receiver', message: (error as Error).message } });
    }
  });
  app.put('/rules', async (request, reply) => {
    const parsed = rulesSchema.safeParse(request.body);
    if (!parsed.success) return reply.status(400).send(invalid('body must be an array of rules'));
    sim.setRules(parsed.data);
    return { rules: parsed.data.length };
  });
  app.put('/faults', async (request, reply) => {
    const parsed = faultsSchema.safeParse(request.body);
    if (!parsed.success) return reply.status(400).send(invalid('invalid fault settings'));
    sim.setFaults(parsed.data);
    return { faults: parsed.data };
  });
  app.post('/reset', async () => {
    sim.reset();
    return { reset: true };
  });
  return app;
}
