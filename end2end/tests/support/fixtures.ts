import { test as base, expect, type BrowserContext } from '@playwright/test';
import { HYDRATION_PROBE, newPerson, type Person } from './users';

/**
 * `context` (and so `page`) gets the hydration probe used by `settle()`.
 * `person(prefix?)` signs up a new person in their own browser context; all contexts
 * made this way are closed after the test.
 */
export const test = base.extend<{ person: (prefix?: string) => Promise<Person> }>({
  context: async ({ context }, use) => {
    await context.addInitScript(HYDRATION_PROBE);
    await use(context);
  },
  person: async ({ browser }, use) => {
    const contexts: BrowserContext[] = [];
    await use(async (prefix?: string) => {
      const p = await newPerson(browser, prefix);
      contexts.push(p.context);
      return p;
    });
    for (const c of contexts) await c.close().catch(() => {});
  },
});

export { expect };
