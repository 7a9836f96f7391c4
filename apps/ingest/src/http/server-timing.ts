/**
 * Server-Timing (W3C) for the ingest, on only with INGEST_SERVER_TIMING=1: each answer to
 * `POST /v1/messages` says where its milliseconds went, so the bench can aggregate them.
 * The header carries stage names and durations only — never an id or any content.
 *
 *   auth         the API-key hook (a cache hit or one PostgreSQL lookup)
 *   body         body parsing and the hooks before the handler
 *   ratelimit    the request limits (one Redis call) and the scope check
 *   commit-wait  handler start → its group commit's INSERT starts (validation, batching)
 *   insert       that INSERT, one round trip that ends with the WAL flush of its commit
 *   reply        INSERT done → the reply is being sent (view, serialization); the deliver
 *                job is added after the answer (DeliverJobWindows), so it has no stage
 *   total        the request's arrival → the reply being sent
 *   loop-delay   not a stage: the event loop's worst delay (perf_hooks) over the last two
 *                LOOP_WINDOW_MS windows before this reply, i.e. how long any callback was
 *                kept waiting then (a busy loop shows here, not a slow Redis or PostgreSQL)
 *
 * The group commit is shared by many requests: a wrapper around the repository notes when
 * each batch ran, by message id, and the reply (which
 * names its message in `location`) collects its own batch's times. Nothing here changes
 * what the ingest does; with the setting off none of it is installed.
 */
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

interface BatchTimes {
  insertStart?: number;
  insertEnd?: number;
}

interface RequestMarks {
  start: number;
  authEnd?: number;
  preHandler?: number;
  handler?: number;
}

/** Batches remembered at most; a request that never answers leaves its entry to be evicted. */
const MAX_PENDING = 20_000;

const marks = new WeakMap<FastifyRequest, RequestMarks>();

/** The event-loop delay window each reply reports the worst of. */
const LOOP_WINDOW_MS = 250;

export class ServerTiming {
  private readonly batches = new Map<string, BatchTimes>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** The repository, with the time of every group-commit INSERT noted for its messages. */
  timeInserts<R extends { insertManyAccepted(ms: readonly { id: string }[]): Promise<unknown> }>(repo: R): R {
    return this.wrap(repo, 'insertManyAccepted', (items: readonly { id: string }[]) =>
      items.map((m) => m.id),
    );
  }

  /** Wraps an onRequest hook (the API-key check) so its duration is the `auth` stage. */
  timeAuth<H extends (request: FastifyRequest, reply: FastifyReply) => Promise<void>>(hook: H): H {
    return (async (request: FastifyRequest, reply: FastifyReply) => {
      try {
        await hook(request, reply);
      } finally {
        const m = marks.get(request);
        if (m) m.authEnd = this.now();
      }
    }) as H;
  }

  /** The worst event-loop delay (ms) of the last two complete windows, while installed. */
  private loopDelayMs: number | undefined;
  private lastWindowMs = 0;

  /** The root hooks: the request's start, and the header on the reply. */
  install(app: FastifyInstance): void {
    const histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 1 });
    histogram.enable();
    const sample = setInterval(() => {
      const windowMs = histogram.count > 0 ? histogram.max / 1e6 : 0;
      this.loopDelayMs = Math.max(windowMs, this.lastWindowMs);
      this.lastWindowMs = windowMs;
      histogram.reset();
    }, LOOP_WINDOW_MS).unref();
    app.addHook('onClose', async () => {
      clearInterval(sample);
      histogram.disable();
    });
    app.addHook('onRequest', async (request) => {
      marks.set(request, { start: this.now() });
    });
    app.addHook('onSend', async (request, reply, payload) => {
      const header = this.header(request, reply);
      if (header) void reply.header('server-timing', header);
      return payload;
    });
  }

  /**
   * In the API scope, after the rate limiter is registered: a mark before the route's own
   * preHandlers (the rate limiter's) and one after them, as the handler starts.
   */
  installAroundRateLimit(api: FastifyInstance): void {
    api.addHook('preHandler', async (request) => {
      const m = marks.get(request);
      if (m) m.preHandler = this.now();
    });
    api.addHook('onRoute', (route) => {
      const mark = async (request: FastifyRequest) => {
        const m = marks.get(request);
        if (m) m.handler = this.now();
      };
      const existing = route.preHandler;
      route.preHandler = [...(Array.isArray(existing) ? existing : existing ? [existing] : []), mark];
    });
  }

  private header(request: FastifyRequest, reply: FastifyReply): string | null {
    const m = marks.get(request);
    if (!m) return null;
    const end = this.now();
    const stages: [string, number | undefined, number | undefined][] = [
      ['auth', m.start, m.authEnd],
      ['body', m.authEnd, m.preHandler],
      ['ratelimit', m.preHandler, m.handler],
    ];
    const id = /^\/v1\/messages\/([^/]+)$/.exec(String(reply.getHeader('location') ?? ''))?.[1];
    const batch = id ? this.batches.get(id) : undefined;
    if (id) this.batches.delete(id);
    if (batch) {
      stages.push(
        ['commit-wait', m.handler, batch.insertStart],
        ['insert', batch.insertStart, batch.insertEnd],
        ['reply', batch.insertEnd, end],
      );
    }
    stages.push(['total', m.start, end]);
    if (this.loopDelayMs !== undefined) stages.push(['loop-delay', 0, this.loopDelayMs]);
    return stages
      .filter(([, from, to]) => from !== undefined && to !== undefined)
      .map(([name, from, to]) => `${name};dur=${Math.max(0, to! - from!).toFixed(3)}`)
      .join(', ');
  }

  private wrap<T extends object, A extends unknown[]>(
    target: T,
    method: string,
    ids: (...args: A) => string[],
  ): T {
    const original = (target as Record<string, unknown>)[method] as (...args: A) => Promise<unknown>;
    const timed = async (...args: A) => {
      const start = this.now();
      try {
        return await original.apply(target, args);
      } finally {
        const end = this.now();
        for (const id of ids(...args)) this.note(id, start, end);
      }
    };
    return new Proxy(target, {
      get: (t, key, receiver) => (key === method ? timed : Reflect.get(t, key, receiver)),
    });
  }

  private note(id: string, start: number, end: number): void {
    this.batches.set(id, { insertStart: start, insertEnd: end });
    // Oldest first: an entry nobody collected (a failed request) does not stay forever.
    while (this.batches.size > MAX_PENDING) this.batches.delete(this.batches.keys().next().value!);
  }
}
