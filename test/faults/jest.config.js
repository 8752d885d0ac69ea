/**
 * The fault-injection suite (`npm run test:faults`): the local engines, a real pipeline, and one
 * component killed per scenario. Kept out of `npm test`: it kills the engines the other tests share.
 * @type {import('jest').Config}
 */
module.exports = {
  rootDir: '../..',
  displayName: 'faults',
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/faults/**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  modulePathIgnorePatterns: ['<rootDir>/\\.venv', '<rootDir>/\\.data', '<rootDir>/dist'],
  setupFiles: ['<rootDir>/test/support/setup-env.ts'],
  globalSetup: '<rootDir>/test/faults/global-setup.ts',
  globalTeardown: '<rootDir>/test/faults/global-teardown.ts',
};
