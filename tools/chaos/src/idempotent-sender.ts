import { createHash } from 'node:crypto';
import { HttpClient } from '@maskline/loadgen/http-client';

/** One message as the client saw it. */
export interface SendRecord {
  index: number;
  /** The Idempotency-Key every attempt of this message carries. */
  key: string;
  /** SHA-256 of the body: how the carrier's journal names the message. */
  bodyDigest: string;
  /** Epoch ms of the first attempt. */
  firstSentAt: number;
  /** Epoch ms of the 202/200, or null when the client gave up or was refused. */
  acceptedAt: number | null;
  /** 202, or 200 when a retry found the message already stored (an earlier attempt had committed). */
  acceptedStatus?: 200 | 202;
  attempts: number;
}

export interface SenderOptions {
  ingestUrl: string;
  apiKey: string;
  /** Distinguishes this run's keys and bodies. */
  runId: string;
  /** A client gives a message up this long after its first attempt. */
  giveUpMs?: number;
  /** Per attempt: no answer in this time counts as a connection error. */
  requestTimeoutMs?: number;
}

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 1_000;

/** 5xx, 429 and connection errors are retried (same key); other answers are final. */
export function isRetryable(status: number | 'connection'): boolean {
  return status === 'connection' || status === 429 || status >= 500;
}

/**
 * A well-behaved API client: every message has its own Idempotency-Key, and an attempt that
 * ends in a 5xx, a 429 or a connection error (refused, reset, timed out) is retried with
 * the same key and body after a capped exponential backoff (100 ms doubling to 1 s, with
 * jitter), until accepted (202, or 200 for a repeat the server already had) or `giveUpMs`
 * after the first attempt. Every non-accepted answer is counted by status.
 */
export class IdempotentSender {
  readonly records: SendRecord[] = [];
  /** Answers other than 202/200, by status code or `connection`. */
  readonly errors: Record<string, number> = {};
  private readonly http = new HttpClient(512);

  constructor(private readonly options: SenderOptions) {}

  body(index: number): string {
    return `chaos drill ${this.options.runId} message ${index}`;
  }

  /** Sends message `index` until it is accepted or given up; true when accepted. */
  async send(index: number): Promise<boolean> {
    const body = this.body(index);
    const record: SendRecord = {
      index,
      key: `chaos-${this.options.runId}-${index}`,
      bodyDigest: createHash('sha256').update(body).digest('hex'),
      firstSentAt: Date.now(),
      acceptedAt: null,
      attempts: 0,
    };
    this.records.push(record);
    const payload = JSON.stringify({ to: `+4479${String(10_000_000 + index)}`, from: 'Chaos', body });
    const giveUpAt = record.firstSentAt + (this.options.giveUpMs ?? 60_000);
    let backoff = RETRY_MIN_MS;
    for (;;) {
      record.attempts += 1;
      const status = await this.http
        .send(`${this.options.ingestUrl}/v1/messages`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${this.options.apiKey}`,
            'content-type': 'application/json',
            'idempotency-key': record.key,
          },
          body: payload,
          timeoutMs: this.options.requestTimeoutMs ?? 10_000,
        })
        .catch((): 'connection' => 'connection');
      if (status === 202 || status === 200) {
        record.acceptedAt = Date.now();
        record.acceptedStatus = status;
        return true;
      }
      this.errors[String(status)] = (this.errors[String(status)] ?? 0) + 1;
      if (!isRetryable(status) || Date.now() >= giveUpAt) return false;
      await new Promise((r) => setTimeout(r, backoff * (0.5 + Math.random() / 2)));
      backoff = Math.min(RETRY_MAX_MS, backoff * 2);
    }
  }

  close(): void {
    this.http.close();
  }
}
