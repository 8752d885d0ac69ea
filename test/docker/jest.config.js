/**
 * The container tests (`npm run test:docker`): the offline compose stack built and run for real.
 * Kept out of `npm test`'s projects: they need a Docker engine, which scripts/docker-test.sh starts.
 * @type {import('jest').Config}
 */
const base = require('../support/jest-base');

module.exports = {
  ...base,
  rootDir: '../..',
  displayName: 'docker',
  testMatch: ['<rootDir>/test/docker/**/*.test.ts'],
  modulePathIgnorePatterns: ['<rootDir>/\\.venv', '<rootDir>/\\.data', '<rootDir>/dist'],
};
