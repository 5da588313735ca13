import { beforeAll, describe, expect, it } from '@jest/globals';
import { WAIT_MARGIN_MS } from '../support/testDeadline.js';
import { waitFor } from '../support/waitFor.js';

/** A Jest timeout that leaves a wait about 2 s before its margin. */
const SHORT_TEST_MS = WAIT_MARGIN_MS + 2_000;
const never = () => waitFor(() => false, { what: 'a state that never comes', timeoutMs: 60_000, everyMs: 50 }).then(() => undefined, (err: Error) => err);

describe('waitFor within the Jest timeout', () => {
  it('gives up before the test’s Jest timeout and says what it waited for', async () => {
    const err = await never();
    expect(err?.message).toMatch(/^timed out after \d+ ms \(of 60000: the test's Jest timeout is \d+ ms away\) waiting for a state that never comes$/);
  }, SHORT_TEST_MS);

  it('keeps its own timeout when that ends first', async () => {
    const err = await waitFor(() => false, { what: 'x', timeoutMs: 200 }).then(() => undefined, (e: Error) => e);
    expect(err?.message).toBe('timed out after 200 ms waiting for x');
  });

  describe('in a hook', () => {
    let hookErr: Error | undefined;
    beforeAll(async () => { hookErr = await never(); }, SHORT_TEST_MS);

    it('gives up before the hook’s Jest timeout too', () => {
      expect(hookErr?.message).toContain("the test's Jest timeout is");
    });
  });
});
