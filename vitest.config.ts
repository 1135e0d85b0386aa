import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql 16 ships ESM and CommonJS copies; Node loads the CommonJS one for graphql-yoga, so the
    // suites must use that same copy or graphql rejects the schema as "from another realm".
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    globalSetup: ['test/global-setup.ts'],
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: more workers only make the suites fight for them.
    maxWorkers: 2,
  },
});
