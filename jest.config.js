/** Unit and emulator integration tests; every suite runs against the real emulator over HTTPS on loopback. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 60000,
  maxWorkers: 2,
  // Installs Mono from Debian's packages when missing (MONO_INSTALL=0 skips) and Node 24 + n8n 2.41.1 (cached,
  // ~6 min cold; N8N_E2E=0 skips) before any suite starts.
  globalSetup: '<rootDir>/test/global-setup.ts',
  reporters: ['default', '<rootDir>/test/helpers/summary-reporter.js'],
};
