import { expect } from '@jest/globals';
import { isInvalidConfiguration } from '../../plugin/contract.js';

/** Runs `fn`, expects it to throw an InvalidConfigurationError, and returns it for assertions on object/field/message. */
export function errorOf(fn: () => unknown): Error & { object?: string; field?: string } {
  try {
    fn();
  } catch (err) {
    expect(isInvalidConfiguration(err)).toBe(true);
    return err as Error;
  }
  throw new Error('expected an InvalidConfigurationError');
}
