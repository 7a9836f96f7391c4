import type { FastifyReply } from 'fastify';

/**
 * An answer replayed for a repeated Idempotency-Key (the resource the first request
 * created, nothing done again) says so: `Idempotent-Replayed: true`.
 */
export function markReplayed(reply: FastifyReply): void {
  void reply.header('idempotent-replayed', 'true');
}
