/**
 * Reads the dashboard's server-sent events with fetch, so the request can carry the bearer token
 * (EventSource cannot send headers). Reconnects with backoff; a 401/403 stops and is reported.
 */
export type StreamStatus =
  | { kind: 'connecting' }
  | { kind: 'live' }
  | { kind: 'retrying'; inMs: number; why: string }
  | { kind: 'refused'; status: number; message: string };

export interface StreamHandlers {
  onEvent(name: string, data: string): void;
  onStatus(status: StreamStatus): void;
}

const MAX_BACKOFF_MS = 10_000;

export function openStream(url: string, token: string | undefined, handlers: StreamHandlers): () => void {
  const abort = new AbortController();
  let backoff = 500;
  const run = async (): Promise<void> => {
    while (!abort.signal.aborted) {
      handlers.onStatus({ kind: 'connecting' });
      try {
        const res = await fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {}, signal: abort.signal, cache: 'no-store' });
        if (res.status === 401 || res.status === 403) {
          const body = (await res.json().catch(() => ({}))) as { error?: string };
          handlers.onStatus({ kind: 'refused', status: res.status, message: body.error ?? res.statusText });
          return;
        }
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        handlers.onStatus({ kind: 'live' });
        backoff = 500;
        let refused: { status: number; error: string } | undefined;
        await readEvents(res.body, (name, data) => {
          if (name === 'refused') refused = JSON.parse(data) as { status: number; error: string };
          else handlers.onEvent(name, data);
        });
        if (refused) {
          handlers.onStatus({ kind: 'refused', status: refused.status, message: refused.error });
          return;
        }
        throw new Error('the stream ended');
      } catch (err) {
        if (abort.signal.aborted) return;
        handlers.onStatus({ kind: 'retrying', inMs: backoff, why: (err as Error).message });
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  };
  void run();
  return () => abort.abort();
}

async function readEvents(body: ReadableStream<Uint8Array>, onEvent: (name: string, data: string) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) name = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length > 0) onEvent(name, data.join('\n'));
    }
  }
}
