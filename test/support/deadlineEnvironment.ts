/**
 * The Node test environment plus one thing: as each test or hook starts, the moment Jest will time it
 * out is put on the test realm's global, so the shared waits can end before it (testDeadline.ts).
 */
import { TestEnvironment as NodeEnvironment } from 'jest-environment-node';
import type { Circus } from '@jest/types';

/**
 * testDeadline.ts's DEADLINE_KEY. Jest loads environments without the config's module mapper, so the
 * key is spelled here too; test/unit/waitFor.test.ts fails if the two differ.
 */
const DEADLINE_KEY = '__metal3TestDeadlineMs';
const ENDS = new Set(['test_fn_success', 'test_fn_failure', 'hook_success', 'hook_failure']);

export default class DeadlineEnvironment extends NodeEnvironment {
  handleTestEvent(event: Circus.Event, state: Circus.State): void {
    const global = this.global as unknown as Record<string, unknown>;
    if (event.name === 'test_fn_start') global[DEADLINE_KEY] = Date.now() + (event.test.timeout ?? state.testTimeout);
    else if (event.name === 'hook_start') global[DEADLINE_KEY] = Date.now() + (event.hook.timeout ?? state.testTimeout);
    else if (ENDS.has(event.name)) delete global[DEADLINE_KEY];
  }
}
