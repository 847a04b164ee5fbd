import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'chaos/**/*.test.ts', 'bench/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 90_000,
    pool: 'forks',
    // Two files at a time (vitest's default on two cores is one): most of a file's time is waiting on
    // Kafka, Postgres and the processes it starts, so a second file fits beside it; measured on this
    // machine, the suite took 315 s with two and 524 s with one.
    maxWorkers: 2,
    minWorkers: 1,
    reporters: ['default'],
  },
});
