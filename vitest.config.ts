import { defineConfig } from 'vitest/config';

// Integration tests start real JVMs, sshd hosts and containers on a 2-core
// machine: files run one at a time, with generous per-test time limits.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 180_000,
    reporters: ['default'],
  },
});
