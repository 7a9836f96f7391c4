import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { z } from 'zod';
import { SmscSimError } from './deliveries.js';
import { faultSettingsSchema } from './faults.js';
import { RECEIPT_STATS, receiptRulesSchema } from './receipt-rules.js';
import type { SmscSimulator } from './smsc-simulator.js';

const moSchema = z.strictObject({
  from: z.string().min(1).max(20),
  to: z.string().min(1).max(20),
  text: z.string().max(10_000),
  systemId: z.string().min(1).max(15).optional(),
  split: z.enum(['udh8', 'udh16', 'sar']).optional(),
  partOctets: z.number().int().min(1).max(254).optional(),
  ref: z.number().int().min(0).max(0xffff).optional(),
  skipParts: z.array(z.number().int().min(1).max(255)).max(255).optional(),
});
const receiptSchema = z.strictObject({
  messageId: z.string().min(1).max(65),
  stat: z.enum(RECEIPT_STATS),
  err: z
    .string()
    .regex(/^\d{3}$/, 'err must be three digits')
    .optional(),
});
const rawSchema = z.strictObject({
  hex: z
    .string()
    .regex(/^([0-9a-fA-F]{2})+$/, 'hex octets')
    .max(200_000),
  systemId: z.string().min(1).max(15).optional(),
});
const messagesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(10_000_000).default(100),
  assemble: z.enum(['true', 'false']).optional(),
});

const STATUS_BY_CODE = {
  no_receiver: 409,
  session_closed: 409,
  closed: 503,
  timeout: 504,
  unknown_message: 404,
} as const;

function problem(reply: FastifyReply, status: number, code: string, message: string) {
  return reply.status(status).send({ error: { code, message } });
}

function issues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; ');
}

/**
 * The simulator's HTTP control API. Listens on 127.0.0.1 only; also usable without a port
 * through `app.inject()`. Errors: `{"error":{"code":"invalid_request","message":"..."}}`.
 */
export function buildControlApi(sim: SmscSimulator): FastifyInstance {
  const app = Fastify({ logger: false });
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) return problem(reply, status, 'invalid_request', error.message);
    return problem(reply, 500, 'internal_error', 'internal error');
  });
  app.setNotFoundHandler((request, reply) =>
    problem(reply, 404, 'not_found', `no route ${request.method} ${request.url.split('?')[0]}`),
  );

  app.get('/health', async () => ({ status: 'ok', smppPort: sim.smppPort }));
  app.get('/stats', async () => sim.stats());
  app.get('/messages', async (request, reply) => {
    const query = messagesQuery.safeParse(request.query);
    if (!query.success) return problem(reply, 400, 'invalid_request', issues(query.error));
    const { limit, assemble } = query.data;
    return { messages: assemble === 'true' ? sim.messages(limit, { assemble: true }) : sim.messages(limit) };
  });
  app.post('/raw', async (request, reply) => {
    const body = rawSchema.safeParse(request.body);
    if (!body.success) return problem(reply, 400, 'invalid_request', issues(body.error));
    const written = sim.injectRaw(Buffer.from(body.data.hex, 'hex'), body.data.systemId);
    if (!written) return problem(reply, 409, 'no_session', 'no SMPP session is bound');
    return { written: true };
  });
  app.post('/mo', async (request, reply) => {
    const body = moSchema.safeParse(request.body);
    if (!body.success) return problem(reply, 400, 'invalid_request', issues(body.error));
    try {
      const commandStatus = await sim.injectMo(body.data);
      return { delivered: commandStatus === 0, commandStatus };
    } catch (error) {
      if (!(error instanceof SmscSimError)) throw error;
      return problem(reply, STATUS_BY_CODE[error.code], error.code, error.message);
    }
  });
  app.post('/receipts', async (request, reply) => {
    const body = receiptSchema.safeParse(request.body);
    if (!body.success) return problem(reply, 400, 'invalid_request', issues(body.error));
    try {
      sim.injectReceipt(body.data);
      return { sent: true };
    } catch (error) {
      if (!(error instanceof SmscSimError)) throw error;
      return problem(reply, STATUS_BY_CODE[error.code], error.code, error.message);
    }
  });
  app.put('/rules', async (request, reply) => {
    const body = receiptRulesSchema.safeParse(request.body);
    if (!body.success) return problem(reply, 400, 'invalid_request', issues(body.error));
    sim.setRules(body.data);
    return { rules: body.data };
  });
  app.put('/faults', async (request, reply) => {
    const body = faultSettingsSchema.safeParse(request.body);
    if (!body.success) return problem(reply, 400, 'invalid_request', issues(body.error));
    sim.setFaults(body.data);
    return { faults: body.data };
  });
  app.post('/reset', async () => {
    sim.reset();
    return { reset: true };
  });
  return app;
}
