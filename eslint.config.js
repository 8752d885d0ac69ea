// @ts-check
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

module.exports = tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', '.venv/**', '.venv-evidently/**', '.venv-airflow/**', '.tools/**', 'airflow-bridge/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['lib/monitoring/report-client.js'],
    languageOptions: { sourceType: 'script', globals: { document: 'readonly', window: 'readonly', echarts: 'readonly', IntersectionObserver: 'readonly' } },
  },
  {
    files: ['api/page/try.js'],
    languageOptions: { sourceType: 'script', globals: { document: 'readonly', fetch: 'readonly' } },
  },
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
