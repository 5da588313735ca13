import { describe, expect, it } from '@jest/globals';
import { createLogger } from '../../../../platform/observability/logger.js';

const TOKEN = 'abcdef.0123456789abcdef';

function capture() {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => lines.push(line) } });
  return { logger, output: () => lines.join('') };
}

describe('platform logger redaction', () => {
  it('censors secret-named fields at the top level and one level down', () => {
    const { logger, output } = capture();
    logger.info({ token: 'plain-secret-1', userData: '#cloud-config secret-2', claim: { password: 'secret-3' } }, 'hello');
    logger.info({ secret: { data: { token: 'c2VjcmV0LTQ=' } } }, 'secret object');
    const text = output();
    for (const secret of ['plain-secret-1', 'secret-2', 'secret-3', 'c2VjcmV0LTQ=']) expect(text).not.toContain(secret);
    expect(text).toContain('[REDACTED]');
    expect(text).toContain('hello');
  });

  it('scrubs bootstrap-token shapes from messages, nested strings and errors', () => {
    const { logger, output } = capture();
    logger.info(`join url https://10.0.0.1/node/join?token=${TOKEN}`);
    logger.warn({ detail: { url: `x?token=${TOKEN}` } }, 'nested');
    logger.error({ err: new Error(`failed with ${TOKEN}`) }, 'boom');
    logger.child({ request: TOKEN }).info('child');
    const text = output();
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain('0123456789abcdef');
    expect(text.match(/\[REDACTED\]/g)?.length).toBeGreaterThanOrEqual(4);
  });

  it('keeps ordinary values intact', () => {
    const { logger, output } = capture();
    logger.info({ host: 'gpu-01.rack-1', claim: 'vc-1-abcde' }, 'claimed');
    expect(output()).toContain('gpu-01.rack-1');
    expect(output()).toContain('vc-1-abcde');
  });
});
