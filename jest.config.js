/** Native ESM through @swc/jest; decorator metadata on for tsyringe. Type-checking is `npm run typecheck`. */
export default {
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
