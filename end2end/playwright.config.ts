import { defineConfig } from '@playwright/test';
import { baseURL } from './tests/support/server';

// The server is started once for the whole run (tests/support/global-setup.ts) on
// 127.0.0.1:$MD_PORT (default 3100) with a fresh temporary data dir.
const NO_JS = /no-js\.spec\.ts$/;
// Two instances sharing PostgreSQL and Redis: only when the run is given them (scripts/test.sh
// does, in a second pass), since one process with SQLite has nothing to share.
const CLUSTER = /cluster\.spec\.ts$/;
const clusterMode = Boolean(process.env.REDIS_URL && process.env.DATABASE_URL);

export default defineConfig({
  testDir: './tests',
  globalSetup: './tests/support/global-setup.ts',
  globalTeardown: './tests/support/global-teardown.ts',
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  reporter: 'list',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.MD_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    },
  },
  projects: [
    {
      name: 'hydrated',
      testIgnore: clusterMode ? [NO_JS] : [NO_JS, CLUSTER],
    },
    {
      name: 'no-js',
      testMatch: NO_JS,
      use: { javaScriptEnabled: false },
    },
  ],
});
