import { defineConfig } from 'vitest/config';

// Unit tests that need neither dist/ nor a GPU, without the global build step of vitest.config.ts:
//   npx vitest run --config vitest.quick.config.ts test/<file>.test.ts
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 300_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 1, minForks: 1 } },
  },
});
