/// <reference types="@maskline/smpp-types" preserve="true" />
import type { PDU, Session } from 'smpp';
import { abortError } from './request-window.js';

/**
 * Batch the PDUs written in this turn of the event loop (until its check phase) into one
 * write: without it every submit_sm is its own write syscall (and TCP segment), which
 * dominates CPU at high rates. Adds no timer delay: setImmediate runs right after the
 * current I/O phase.
 */
export function corkUntilImmediate(socket: Session['socket']): void {
  if (socket.writableCorked > 0) return;
  socket.cork();
  setImmediate(() => socket.uncork());
}

/**
 * Send a PDU inside this turn's cork: every PDU the plugin writes (submit_sm, deliver_sm_resp,
 * enquire_link and its _resp, generic_nack, unbind) goes through here, so the submits and the
 * acknowledgements of one tick leave in one writev. False (nothing sent) when the socket is
 * no longer writable, as Session.send.
 */
export function sendCorked(session: Session, pdu: PDU): boolean {
  if (!session.socket.writable) return false;
  corkUntilImmediate(session.socket);
  return session.send(pdu);
}

/** Write out what is corked now, e.g. a generic_nack right before the link is destroyed. */
export function flushCorked(socket: Session['socket']): void {
  while (socket.writableCorked > 0) socket.uncork();
}

/** Wait ms, or reject when the signal aborts first. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** `promise`, or a rejection (carrier_timeout) as soon as the signal aborts. */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** End the TCP connection (FIN), then destroy it if it has not closed within timeoutMs. */
export function endSession(session: Session, timeoutMs: number): Promise<void> {
  if (session.socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => session.destroy(), timeoutMs);
    session.socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    session.close();
  });
}
