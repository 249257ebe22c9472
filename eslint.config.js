// ESLint (flat config): typescript-eslint's recommended rules, Prettier's formatting left to Prettier, and
// the project's layering as import rules — each lib may import only the libs below it, only the owning lib
// imports typeorm / @kubernetes/client-node / @aws-sdk/client-route-53, libs are used through their public
// surface, and the planners stay pure. `npm run lint` runs it; `npm test` runs it first.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/** What each lib (and app) may import from `#libs/*`: the pipeline's layering, lowest first. */
const LAYERS = {
  common: [],
  observability: [],
  'kube-harness': [],
  config: ['common'],
  placement: ['common'],
  dns: ['common'],
  kube: ['common'],
  queues: ['common', 'config'],
  persistence: ['common', 'config'],
  events: ['common', 'config', 'persistence'],
  auth: ['common', 'config', 'persistence'],
  registry: ['common', 'config', 'kube', 'persistence'],
  federation: ['common', 'placement'],
  health: ['common', 'config', 'events', 'kube', 'observability', 'persistence', 'queues', 'registry'],
  propagation: ['common', 'config', 'federation', 'kube', 'observability', 'persistence', 'placement', 'queues'],
  failover: ['common', 'config', 'events', 'federation', 'health', 'observability', 'persistence', 'propagation', 'queues', 'registry'],
  'dns-publishing': ['common', 'config', 'dns', 'events', 'federation', 'health', 'observability', 'persistence', 'propagation', 'queues', 'registry'],
};
const ALL_LIBS = Object.keys(LAYERS);
const APPS = {
  fedctl: ['common', 'federation', 'kube', 'placement'],
  clusters: ['common', 'kube-harness'],
  demo: ['common', 'kube-harness'],
  server: ALL_LIBS.filter((l) => l !== 'kube-harness'),
};

/** Packages only one lib may import. */
const OWNED_PACKAGES = [
  { name: 'typeorm', owners: ['persistence'] },
  { name: '@kubernetes/client-node', owners: ['kube', 'kube-harness'] },
  { name: '@aws-sdk/client-route-53', owners: ['dns'] },
];

const restricted = (allowedLibs, lib) => ({
  'no-restricted-imports': [
    'error',
    {
      paths: OWNED_PACKAGES.filter((p) => !p.owners.includes(lib)).map((p) => ({ name: p.name, message: `only libs/${p.owners.join(' and libs/')} import ${p.name}` })),
      patterns: [
        { group: ['#libs/*/**'], message: 'use a lib through its public surface (#libs/<name>), not its files' },
        { group: ['**/libs/*/src/**', '../../../libs/**'], message: 'import other libs as #libs/<name>' },
        ...ALL_LIBS.filter((l) => l !== lib && !allowedLibs.includes(l)).map((l) => ({
          group: [`#libs/${l}`],
          message: `${lib ? `libs/${lib}` : 'this app'} may not depend on #libs/${l} (layering: eslint.config.js)`,
        })),
      ],
    },
  ],
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.ubernetes/**', 'apps/fedctl/package/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', fetch: 'readonly', AbortController: 'readonly', structuredClone: 'readonly' } },
    rules: {
      // Unused bindings are errors, except the `_name` convention for deliberately ignored ones.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none' }],
      // Test fakes and JSON bodies of API responses are typed loosely on purpose.
      '@typescript-eslint/no-explicit-any': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  ...Object.entries(LAYERS).map(([lib, allowed]) => ({ files: [`libs/${lib}/**/*.ts`], rules: restricted(allowed, lib) })),
  ...Object.entries(APPS).map(([app, allowed]) => ({ files: [`apps/${app}/**/*.ts`], rules: restricted(allowed, undefined) })),
  {
    // The planners are pure: no Nest, no I/O (node:net only for its address predicates).
    files: ['libs/placement/src/**/*.ts', 'libs/dns/src/planner/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['typeorm', 'bullmq', 'ioredis', 'pg', 'node:fs', 'node:http', 'node:https', 'node:dgram', 'node:child_process', 'node:dns'].map((name) => ({ name, message: 'the planners are pure: no I/O' })),
          patterns: [{ group: ['@nestjs/*'], message: 'the planners are pure: no Nest' }, { group: ['#libs/*', '!#libs/common', '!#libs/placement'], message: 'the planners depend on #libs/common only' }],
        },
      ],
    },
  },
);
