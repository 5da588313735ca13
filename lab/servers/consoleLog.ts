/**
 * A server's serial console: timestamped lines kept in memory and appended to `console.log` in its
 * sandbox. Everything passes through `redact` first, so join tokens never reach the log.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

const TOKEN_PARAM = /(token=)[^\s&'"]+/gi;
const TOKEN_FLAG = /(--token[ =])\S+/g;
const BOOTSTRAP_TOKEN = /\b[a-z0-9]{6}\.[a-z0-9]{16}\b/g;

/** Masks `token=…`, `--token …` and anything shaped like a bootstrap token. */
export function redact(text: string): string {
  return text.replace(TOKEN_PARAM, '$1[REDACTED]').replace(TOKEN_FLAG, '$1[REDACTED]').replace(BOOTSTRAP_TOKEN, '[REDACTED]');
}

export class ConsoleLog {
  private readonly lines: string[] = [];
  private pending: Promise<void> = Promise.resolve();
  private dirReady?: Promise<unknown>;

  constructor(private readonly file: string, private readonly maxLines = 5000) {}

  write(message: string): void {
    const stamp = new Date().toISOString();
    const fresh = redact(message).split('\n').filter((line, i, all) => line !== '' || i < all.length - 1)
      .map((line) => `[${stamp}] ${line}`);
    if (fresh.length === 0) return;
    this.lines.push(...fresh);
    if (this.lines.length > this.maxLines) this.lines.splice(0, this.lines.length - this.maxLines);
    this.dirReady ??= mkdir(dirname(this.file), { recursive: true });
    const chunk = `${fresh.join('\n')}\n`;
    this.pending = this.pending
      .then(() => this.dirReady)
      .then(() => appendFile(this.file, chunk))
      .catch(() => undefined);
  }

  text(): string {
    return this.lines.length ? `${this.lines.join('\n')}\n` : '';
  }

  /** Resolves once every line written so far is on disk. */
  flush(): Promise<void> {
    return this.pending;
  }

  /** The sandbox directory was recreated: make sure the file's directory exists again. */
  reopen(): void {
    this.dirReady = undefined;
  }
}
