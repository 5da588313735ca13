/**
 * HTTP access to a Netris controller: logs in with the Secret's username/password, keeps the
 * session token, logs in again once when the session expires, and maps failures to typed errors.
 * Credentials, tokens and request bodies are never logged nor put in error messages.
 */
import { InvalidConfigurationError, TransientError, type Logger } from '../../../plugin/contract.js';
import { FabricError } from './errors.js';

export interface NetrisClientOptions {
  url: string;
  username: string;
  password: string;
  fetch: typeof fetch;
  requestTimeoutMs: number;
  logger?: Logger;
}

interface Envelope {
  isSuccess?: boolean;
  message?: string;
  data?: unknown;
}

export class NetrisClient {
  private readonly baseUrl: string;
  private token?: string;
  private login?: Promise<string>;
  /** Aborts every in-flight request on close(). */
  private readonly lifetime = new AbortController();

  constructor(private readonly opts: NetrisClientOptions) {
    this.baseUrl = validatedBaseUrl(opts.url);
  }

  /** The `data` of a successful answer to `method path`. */
  async request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    let token = await this.session();
    let res = await this.send(method, path, body, token, signal);
    if (res.status === 401) {
      // Sessions expire; one fresh login is worth a try before calling the credentials wrong.
      if (this.token === token) this.token = undefined;
      token = await this.session();
      res = await this.send(method, path, body, token, signal);
      if (res.status === 401) throw this.unauthorized();
    }
    return (await this.unwrap(method, path, res)) as T;
  }

  close(): void {
    this.lifetime.abort(new Error('Netris client closed'));
    this.token = undefined;
  }

  private session(): Promise<string> {
    if (this.token) return Promise.resolve(this.token);
    this.login ??= this.logIn().finally(() => (this.login = undefined));
    return this.login;
  }

  private async logIn(): Promise<string> {
    const res = await this.send('POST', '/api/auth', { user: this.opts.username, password: this.opts.password }, undefined);
    if (res.status === 401 || res.status === 403) throw this.unauthorized();
    const data = (await this.unwrap('POST', '/api/auth', res)) as { token?: unknown } | undefined;
    const cookieToken = /netris\.sid=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
    const token = typeof data?.token === 'string' ? data.token : cookieToken;
    if (!token) throw new FabricError('Rejected', `Netris ${this.baseUrl}: login answered without a session token`);
    this.token = token;
    return token;
  }

  private async send(method: string, path: string, body: unknown, token: string | undefined, signal?: AbortSignal): Promise<Response> {
    const timeout = AbortSignal.timeout(this.opts.requestTimeoutMs);
    const signals = [timeout, this.lifetime.signal, ...(signal ? [signal] : [])];
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    try {
      const res = await this.opts.fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.any(signals),
      });
      this.opts.logger?.debug({ method, path, status: res.status }, 'netris request');
      return res;
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      const why = timeout.aborted ? `no answer within ${this.opts.requestTimeoutMs} ms` : describe(err);
      throw new TransientError(`Netris ${this.baseUrl}: ${method} ${path} failed: ${why}`, { cause: err });
    }
  }

  private async unwrap(method: string, path: string, res: Response): Promise<unknown> {
    const text = await res.text();
    let envelope: Envelope = {};
    try {
      envelope = text ? (JSON.parse(text) as Envelope) : {};
    } catch {
      envelope = { message: text.slice(0, 200) };
    }
    const what = `Netris ${this.baseUrl}: ${method} ${path}`;
    if (res.status >= 500 || res.status === 429) {
      const retryAfter = Number(res.headers.get('retry-after'));
      throw new TransientError(`${what} answered ${res.status}: ${envelope.message ?? res.statusText}`, {
        retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
      });
    }
    if (res.status >= 400 || envelope.isSuccess === false) {
      throw new FabricError('Rejected', `${what} answered ${res.status}: ${envelope.message ?? res.statusText}`);
    }
    return envelope.data;
  }

  private unauthorized(): FabricError {
    return new FabricError('Unauthorized', `Netris ${this.baseUrl} rejected the login; check the username and password keys of the netris Secret`);
  }
}

function validatedBaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidConfigurationError('netris Secret', 'url', 'is not a URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new InvalidConfigurationError('netris Secret', 'url', `must be http(s), not ${parsed.protocol}`);
  }
  if (parsed.username || parsed.password) {
    // Saying which part is wrong is enough; echoing the URL would echo the credentials.
    throw new InvalidConfigurationError('netris Secret', 'url', 'must not embed credentials; use the username and password keys');
  }
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
}

function describe(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (err as Error)?.message ?? String(err);
}
