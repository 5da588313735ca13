/**
 * One pino logger per platform instance (never a global). Secret-looking fields are censored by
 * path, and every output line is scrubbed of bootstrap-token shapes as a last line of defence,
 * so a token that slips into a message or an error string still never reaches the output.
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { REDACTED, REDACT_PATHS, scrubSecrets } from './redaction.js';

export interface LoggerOptions {
  level?: string;
  /** Where lines go; stdout when omitted. Anything with `write(line)`. */
  destination?: { write(line: string): unknown };
  bindings?: Record<string, unknown>;
}

export type PlatformLogger = PinoLogger;

export function createLogger(options: LoggerOptions = {}): PlatformLogger {
  const target = options.destination ?? process.stdout;
  const scrubbing: DestinationStream = { write: (line: string) => void target.write(scrubSecrets(line)) };
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      base: options.bindings ?? {},
      redact: { paths: REDACT_PATHS, censor: REDACTED },
    },
    scrubbing,
  );
}

/** A logger that drops everything (tests that do not look at logs). */
export function silentLogger(): PlatformLogger {
  return pino({ level: 'silent' });
}
