/** Native ESM through @swc/jest; decorator metadata on for tsyringe. Type-checking is `npm run typecheck`. */
import { availableParallelism } from 'node:os';

export default {
  // At least 2 workers even on 2 cores (Jest's default there is 1): most suites wait on timers, boots and
  // sockets rather than compute, and the whole suite takes ~10 min instead of ~18 on 2 cores.
  maxWorkers: Math.max(2, availableParallelism() - 1),
  // Node, plus each test's Jest deadline for the shared waits (test/support/testDeadline.ts).
  testEnvironment: '<rootDir>/test/support/deadlineEnvironment.ts',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['@swc/jest', {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
      module: { type: 'es6' },
      sourceMaps: 'inline',
    }],
  },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  setupFiles: ['<rootDir>/test/setup.ts'],
  testTimeout: 60000,
};
