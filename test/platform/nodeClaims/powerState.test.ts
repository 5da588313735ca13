import { describe, expect, it } from '@jest/globals';
import { reported } from '../../../platform/nodeClaims/power.js';

describe('status.power.state', () => {
  it.each([
    ['On', true, 'On'],
    ['On', false, 'Starting'],
    ['Off', false, 'Off'],
    ['Off', true, 'Stopping'],
  ] as const)('reports %s asked with the machine powered on=%s as %s', (desired, poweredOn, state) => {
    expect(reported(desired, poweredOn)).toBe(state);
  });
});
