// One lint configuration for the whole repository: ESLint's and typescript-eslint's recommended rules,
// the type-aware rules that catch unawaited promises, and Prettier owning the formatting.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.local/', 'dist/', 'bench/results/', 'chaos/results/', 'docs/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always'],
      // The product refuses U+0000 and lone surrogates on purpose: its patterns name them.
      'no-control-regex': 'off',
    },
  },
  {
    // Product code and the labs are handed the parsed config; only the config and the entry points that
    // hand process.env to it read the environment (tests and the kit set up environments for processes).
    files: ['services/**/*.ts', 'shared/**/*.ts', 'scripts/**/*.ts', 'chaos/**/*.ts', 'bench/**/*.ts'],
    ignores: [
      'shared/config.ts',
      'services/*/main.ts',
      'scripts/{start,setup,tenant,cli,generate-schemas}.ts',
      'chaos/run.ts',
      'bench/main.ts',
      '**/*.test.ts',
    ],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only shared/config.ts reads the environment: pass the parsed config down.' },
      ],
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
  prettier,
);
