import { isUuid, MasklineError, maskAddress } from '@maskline/core';
import { type MaskingService, readImportCsv } from '@maskline/masking';
import type { FastifyInstance } from 'fastify';
import { tenantOf } from '../auth/api-key-auth.js';
import { markReplayed } from '../idempotency/replayed.js';
import { parseIdempotencyKey } from '../messages/message-request.js';
import { toMessageView } from '../messages/message-view.js';
import type { InboundCodes } from './inbound-codes.js';
import {
  parseCarrier,
  parseJsonImport,
  parseListQuery,
  parseMapRequest,
  parseReserveRequest,
  parseSessionMessage,
} from './masking-requests.js';
import type { SessionMessages } from './session-messages.js';

export interface MaskingRoutesDeps {
  masking: MaskingService;
  /** Sending from a session's number; the route is left out without it. */
  sessionMessages?: SessionMessages;
  maxBodyChars?: number;
  /** Codes of verification sessions' inbound SMS; the route is left out without it. */
  inboundCodes?: InboundCodes;
}

/** Largest CSV import body (about 10 000 rows). */
const CSV_BODY_LIMIT = 1024 * 1024;

function sessionId(value: string): string {
  if (!isUuid(value)) throw new MasklineError('masking_session_not_found');
  return value;
}

/**
 * The masking API (docs/reference/api.md, "Number masking"). Every route runs behind the
 * API-key hook of the enclosing scope; a key sees and changes only its tenant's sessions
 * and pool. Participants are shown masked, never in full.
 */
export async function maskingRoutes(app: FastifyInstance, deps: MaskingRoutesDeps): Promise<void> {
  const { masking } = deps;
  // Pool imports may come as CSV (this scope only; the rest of the API speaks JSON).
  app.addContentTypeParser(
    'text/csv',
    { parseAs: 'string', bodyLimit: CSV_BODY_LIMIT },
    (_request, body, done) => done(null, body),
  );

  app.post('/v1/masking/sessions', async (request, reply) => {
    const tenantId = tenantOf(request);
    const idempotencyKey = parseIdempotencyKey(request.headers['idempotency-key']);
    const body = parseReserveRequest(request.body);
    const { session, created } = await masking.reserve(tenantId, body, idempotencyKey);
    void reply.status(created ? 201 : 200).header('location', `/v1/masking/sessions/${session.id}`);
    if (!created) markReplayed(reply);
    return session;
  });

  app.get('/v1/masking/sessions', async (request) => {
    const { limit, cursor, state } = parseListQuery({ ...(request.query as object), type: undefined });
    return masking.list(tenantOf(request), { limit, cursor, state });
  });

  app.get<{ Params: { id: string } }>('/v1/masking/sessions/:id', async (request) =>
    masking.get(tenantOf(request), sessionId(request.params.id)),
  );

  app.post<{ Params: { id: string } }>('/v1/masking/sessions/:id/participants', async (request) => {
    const tenantId = tenantOf(request);
    const id = sessionId(request.params.id);
    return masking.map(tenantId, id, parseMapRequest(request.body));
  });

  app.post<{ Params: { id: string } }>('/v1/masking/sessions/:id/release', async (request) =>
    masking.release(tenantOf(request), sessionId(request.params.id)),
  );

  app.post<{ Params: { id: string } }>('/v1/masking/sessions/:id/rotate', async (request) =>
    masking.rotate(tenantOf(request), sessionId(request.params.id)),
  );

  const { sessionMessages } = deps;
  if (sessionMessages) {
    app.post<{ Params: { id: string } }>('/v1/masking/sessions/:id/messages', async (request, reply) => {
      const tenantId = tenantOf(request);
      const id = sessionId(request.params.id);
      const idempotencyKey = parseIdempotencyKey(request.headers['idempotency-key']);
      const body = parseSessionMessage(request.body, deps.maxBodyChars ?? 1_530);
      const sent = await sessionMessages.send(tenantId, id, body, idempotencyKey);
      void reply.status(sent.created ? 202 : 200).header('location', `/v1/messages/${sent.message.id}`);
      if (!sent.created) markReplayed(reply);
      // The session's number is shown masked, as every response shows numbers.
      return toMessageView(sent.message, { to: sent.toMasked, from: maskAddress(sent.from) });
    });
  }

  const inboundCodes = deps.inboundCodes;
  if (inboundCodes) {
    app.get<{ Params: { id: string } }>('/v1/masking/inbound/:id/code', async (request) => {
      if (!isUuid(request.params.id)) throw new MasklineError('inbound_message_not_found');
      return inboundCodes.codeOf(tenantOf(request), request.params.id);
    });
  }

  app.get('/v1/masking/events', async (request) => {
    const { limit, cursor, type } = parseListQuery({ ...(request.query as object), state: undefined });
    return masking.events(tenantOf(request), { limit, cursor, type });
  });

  // Pool administration (any API key of the tenant; see docs/guides/number-masking.md).
  app.post<{ Querystring: { carrier?: string } }>('/v1/masking/numbers/import', async (request) => {
    const tenantId = tenantOf(request);
    if (typeof request.body === 'string') {
      const carrier = parseCarrier(request.query.carrier);
      let rows: unknown[];
      try {
        rows = readImportCsv(request.body);
      } catch {
        throw new MasklineError('invalid_request', {
          message: 'The CSV file cannot be read: check the header row and the number of cells in each row.',
          details: { field: 'body' },
        });
      }
      return masking.importNumbers(tenantId, carrier, rows);
    }
    const { carrier, numbers } = parseJsonImport(request.body);
    return masking.importNumbers(tenantId, carrier, numbers);
  });

  app.get('/v1/masking/numbers/stats', async (request) => ({ data: await masking.stats(tenantOf(request)) }));

  app.get<{ Params: { id: string } }>('/v1/masking/numbers/:id', async (request) => {
    if (!isUuid(request.params.id)) throw new MasklineError('virtual_number_not_found');
    return masking.getNumber(tenantOf(request), request.params.id);
  });

  app.post<{ Params: { id: string } }>('/v1/masking/numbers/:id/retire', async (request) => {
    if (!isUuid(request.params.id)) throw new MasklineError('virtual_number_not_found');
    return masking.retire(tenantOf(request), request.params.id);
  });
}
