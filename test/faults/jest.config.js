/**
 * The fault-injection suite (`npm run test:faults`): the local engines, a real pipeline, and one
 * component killed per scenario. Kept out of `npm test`: it kills the engines the other tests share.
 * @type {import('jest').Config}
 */
const base = require('../support/jest-base');

module.exports = {
  ...base,
  rootDir: '../..',
  displayName: 'faults',
  testMatch: ['<rootDir>/test/faults/**/*.test.ts'],
  modulePathIgnorePatterns: ['<rootDir>/\\.venv', '<rootDir>/\\.data', '<rootDir>/dist'],
  globalSetup: '<rootDir>/test/faults/global-setup.ts',
  globalTeardown: '<rootDir>/test/faults/global-teardown.ts',
};
