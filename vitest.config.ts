import { defineConfig } from 'vitest/config';

// Integration tests start real JVMs, sshd hosts and containers on a 2-core
// machine: files run one at a time, with generous per-test time limits. The
// global setup gives the run its own temporary directory and, at the end,
// removes whatever the run added to the machine (and fails if it cannot).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 180_000,
    reporters: ['default'],
  },
});
