// The fast unit tests only (no emulator, no network): the tests `npm run
// mutation` runs against every mutant of the core and of the pure entry-point
// code. Keep it to tests that finish in milliseconds.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/core/**/*.test.ts', 'test/lib/**/*.test.ts'],
    pool: 'forks',
  },
});
