// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/**
 * The layers of DESIGN.md, enforced: each folder of src/ may import only the
 * folders listed here (a relative import climbing into any other is an error),
 * and the heavy or layer-specific packages stay in their rooms.
 */
const LAYERS = ['api', 'auth', 'cli', 'client', 'db', 'domain', 'jobs', 'shared'];
const ALLOWED = {
  'cli/admin': ['api', 'auth', 'db', 'jobs', 'shared', 'cli', 'domain'],
  cli: ['client', 'shared', 'cli'],
  client: ['shared', 'client'],
  api: ['domain', 'auth', 'db', 'shared', 'api'],
  auth: ['domain', 'db', 'shared', 'auth'],
  jobs: ['domain', 'db', 'shared', 'jobs'],
  domain: ['db', 'shared', 'domain'],
  db: ['shared', 'db'],
  shared: ['shared'],
};
const PACKAGES_OUTSIDE = {
  api: ['koa', '@koa/*', 'koa-*'],
  jobs: ['bullmq', 'ioredis'],
  cli: ['commander', 'chalk', '@inquirer/*'],
};

function layerRules(layer) {
  const allowed = ALLOWED[layer];
  const top = layer.split('/')[0];
  const forbidden = LAYERS.filter((name) => !allowed.includes(name));
  const packages = Object.entries(PACKAGES_OUTSIDE)
    .filter(([home]) => home !== top)
    .flatMap(([home, names]) =>
      names.map((name) => ({ group: [name], message: `only src/${home} may import ${name}` })),
    );
  const climbs = forbidden.map((name) => ({
    regex: `^(\\.\\./)+${name}(/|$)`,
    message: `src/${layer} may import only ${allowed.filter((a) => a !== top).join(', ') || 'nothing else in src'} (DESIGN.md, Layers)`,
  }));
  return {
    files: [`src/${layer}/**/*.ts`],
    ignores: layer === 'cli' ? ['src/cli/admin/**'] : [],
    rules: { 'no-restricted-imports': ['error', { patterns: [...climbs, ...packages] }] },
  };
}

export default tseslint.config(
  { ignores: ['dist/**', 'coverage/**', 'node_modules/**', 'bench/results.json'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        fetch: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        performance: 'readonly',
        Headers: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      'no-console': 'error',
    },
  },
  ...Object.keys(ALLOWED).map(layerRules),
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.mjs'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      'no-console': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  prettier,
);
