import { Agent, type IncomingHttpHeaders, request } from 'node:http';

/**
 * The harness's HTTP client, the same for both gateways: node:http over keep-alive
 * connections (one per concurrent client). Cheaper per request than fetch (undici), so
 * the load generator takes less of the two CPUs it shares with the gateway under test.
 */
export class HttpClient {
  private readonly agent: Agent;

  constructor(connections: number) {
    this.agent = new Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  }

  /**
   * Sends one request and reads the whole response; resolves with its status code. With
   * `timeoutMs`, a request with no answer in time is aborted and rejects (a hung server).
   */
  send(
    url: string,
    options: {
      method?: string;
      headers?: Record<string, string>;
      body?: string;
      timeoutMs?: number;
      /** Sees the response's headers (e.g. Server-Timing) before its body is read. */
      onHeaders?: (headers: IncomingHttpHeaders) => void;
    } = {},
  ): Promise<number> {
    return new Promise((resolve, reject) => {
      const body = options.body === undefined ? undefined : Buffer.from(options.body);
      const req = request(
        url,
        {
          method: options.method ?? 'GET',
          agent: this.agent,
          headers: { ...options.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
        },
        (res) => {
          options.onHeaders?.(res.headers);
          res.on('data', () => {});
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      if (options.timeoutMs !== undefined)
        req.setTimeout(options.timeoutMs, () => req.destroy(new Error('request timed out')));
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
