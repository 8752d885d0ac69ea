/**
 * The container tests (`npm run test:docker`): the offline compose stack built and run for real.
 * Kept out of `npm test`'s projects: they need a Docker engine, which scripts/docker-test.sh starts.
 * @type {import('jest').Config}
 */
module.exports = {
  rootDir: '../..',
  displayName: 'docker',
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/docker/**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  modulePathIgnorePatterns: ['<rootDir>/\\.venv', '<rootDir>/\\.data', '<rootDir>/dist'],
  setupFiles: ['<rootDir>/test/support/setup-env.ts'],
};
