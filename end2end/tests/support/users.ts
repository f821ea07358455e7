import { expect, test, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from '@playwright/test';
import { baseURL } from './server';

export const PASSWORD = 'correct-horse-battery';

export interface Person {
  context: BrowserContext;
  page: Page;
  name: string;
  password: string;
}

/**
 * A username that is unique for this run: prefix + base36 time + random, lower-case
 * letters/digits only, at most 32 characters.
 */
export function uniqueName(prefix = 'u'): string {
  const rand = Math.random().toString(36).slice(2, 8).padEnd(6, '0');
  return `${prefix}${Date.now().toString(36)}${rand}`.slice(0, 32);
}

/** The main navigation bar. */
export function nav(page: Page) {
  return page.getByRole('navigation', { name: 'Main' });
}

/** An element with role=alert that contains `text`. */
export function alert(page: Page, text: string | RegExp) {
  return page.getByRole('alert').filter({ hasText: text });
}

/**
 * Installed in every browser context the tests create: wraps WebAssembly.instantiate*
 * so that the tests can tell when the app's WASM bundle is instantiated. Leptos calls
 * `hydrate()` synchronously right after that, so once the flag is set (and the current
 * task has finished) the page is hydrated. Does not run when JavaScript is disabled.
 */
export const HYDRATION_PROBE = `(() => {
  window.__e2eProbe = true;
  const mark = (p) => p.then((r) => { window.__e2eWasmReady = true; return r; });
  for (const k of ['instantiate', 'instantiateStreaming']) {
    const orig = WebAssembly[k];
    if (typeof orig === 'function') WebAssembly[k] = function (...a) { return mark(orig.apply(this, a)); };
  }
})();`;

/** A new browser context with the test defaults and the hydration probe installed. */
export async function newContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL, ...options });
  await context.addInitScript(HYDRATION_PROBE);
  return context;
}

/**
 * Waits until the page has loaded and, if it ships the WASM bundle, until it is hydrated
 * (see HYDRATION_PROBE). Bounded; returns at once when JavaScript is disabled.
 */
export async function settle(page: Page): Promise<void> {
  // Init scripts still run in a context without JavaScript, so the probe cannot tell; the
  // project setting can. Without JavaScript there is nothing to wait for.
  if (test.info().project.use.javaScriptEnabled === false) return;
  for (let attempt = 1; ; attempt++) {
    try {
      await settleOnce(page);
      return;
    } catch (e) {
      // A navigation raced with the check ("Execution context was destroyed"): check the new page.
      if (attempt >= 3 || !/context was destroyed|navigat/i.test(String(e))) throw e;
    }
  }
}

async function settleOnce(page: Page): Promise<void> {
  await page.waitForLoadState('load');
  const needsWait = await page.evaluate(() => {
    const w = window as unknown as { __e2eProbe?: boolean; __e2eWasmReady?: boolean };
    if (!w.__e2eProbe || w.__e2eWasmReady) return false; // no JS / no probe, or already hydrated
    return (
      document.querySelector('link[href*=".wasm"]') !== null ||
      performance.getEntriesByType('resource').some((e) => e.name.includes('.wasm')) ||
      Array.from(document.querySelectorAll('script')).some((s) => /\.wasm|hydrate/.test(s.textContent ?? ''))
    );
  });
  if (!needsWait) return;
  try {
    await page.waitForFunction(() => (window as unknown as { __e2eWasmReady?: boolean }).__e2eWasmReady === true, null, {
      timeout: 15_000,
    });
  } catch (e) {
    if (/context was destroyed|navigat/i.test(String(e))) throw e;
    console.warn(`settle: ${page.url()} did not finish loading its WASM bundle within 15 s; continuing`);
    return;
  }
  // Let the task that called hydrate() finish.
  await page.evaluate(() => new Promise((r) => setTimeout(r, 0)));
}

/** Fills and submits the sign-up form on /signup. Does not check the outcome. */
export async function fillSignUp(
  page: Page,
  name: string,
  password: string,
  confirm: string = password,
): Promise<void> {
  await page.goto('/signup');
  await settle(page);
  await page.getByLabel('Username', { exact: true }).fill(name);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Confirm password', { exact: true }).fill(confirm);
  await page.getByRole('button', { name: 'Sign up', exact: true }).click();
}

/** Signs up through /signup and waits until the new user lands on /rooms. */
export async function signUp(page: Page, name: string, password: string = PASSWORD): Promise<void> {
  await fillSignUp(page, name, password);
  await expect(page).toHaveURL(/\/rooms$/);
  await expect(nav(page)).toContainText(name);
  await settle(page);
}

/** Fills and submits the login form that is already on the page. Does not check the outcome. */
export async function submitLogin(page: Page, name: string, password: string = PASSWORD): Promise<void> {
  await settle(page);
  await page.getByLabel('Username', { exact: true }).fill(name);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
}

/**
 * Opens /login (optionally with ?next=) and submits the form. Does not check the
 * outcome, so it can be used for failing log-ins too.
 */
export async function logIn(
  page: Page,
  name: string,
  password: string = PASSWORD,
  next?: string,
): Promise<void> {
  await page.goto(next ? `/login?next=${encodeURIComponent(next)}` : '/login');
  await submitLogin(page, name, password);
}

/** A new person in their own browser context, already signed up and on /rooms. */
export async function newPerson(browser: Browser, prefix = 'u', options: BrowserContextOptions = {}): Promise<Person> {
  const context = await newContext(browser, options);
  const page = await context.newPage();
  const name = uniqueName(prefix);
  await signUp(page, name, PASSWORD);
  return { context, page, name, password: PASSWORD };
}
