/** Unit and emulator integration tests; every suite runs against the real emulator over HTTPS on loopback. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 60000,
  maxWorkers: 2,
  // Installs Node 24 + n8n 2.41.1 (cached, ~6 min cold) before any suite starts, for test/e2e (N8N_E2E=0 skips).
  globalSetup: '<rootDir>/test/e2e/global-setup.ts',
  reporters: ['default', '<rootDir>/test/helpers/summary-reporter.js'],
};
