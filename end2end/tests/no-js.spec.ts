// Runs only in the "no-js" project (javaScriptEnabled: false): the server-rendered
// pages and plain HTML forms must work without the WASM bundle.
import { test, expect } from './support/fixtures';
import { fillSignUp, logIn, nav, newContext, PASSWORD, signUp, uniqueName } from './support/users';

test.beforeEach(() => {
  // Guard: this file must really run without JavaScript.
  expect(test.info().project.use.javaScriptEnabled, 'run this file in the no-js project').toBe(false);
});

test('home renders with heading "mini-discord"', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'mini-discord', exact: true })).toBeVisible();
  const bar = nav(page);
  await expect(bar.getByRole('link', { name: 'Log in', exact: true })).toBeVisible();
  await expect(bar.getByRole('link', { name: 'Sign up', exact: true })).toBeVisible();
});

test('/login renders the form', async ({ page }) => {
  await page.goto('/login');
  await expect(page.getByLabel('Username', { exact: true })).toBeVisible();
  await expect(page.getByLabel('Password', { exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Log in', exact: true })).toBeVisible();
});

test('signing up works without JavaScript', async ({ page }) => {
  const name = uniqueName('nj');
  await fillSignUp(page, name, PASSWORD);
  await expect(page).toHaveURL(/\/rooms$/);
  await expect(page.getByRole('heading', { name: 'Rooms', exact: true })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Room list' })).toBeAttached();
  await expect(nav(page)).toContainText(name);
});

test('logging in works without JavaScript', async ({ page, browser }) => {
  const name = uniqueName('nj');
  const other = await newContext(browser, { javaScriptEnabled: false });
  try {
    await signUp(await other.newPage(), name, PASSWORD);
  } finally {
    await other.close();
  }
  await logIn(page, name, PASSWORD);
  await expect(page).toHaveURL(/\/rooms$/);
  await expect(page.getByRole('heading', { name: 'Rooms', exact: true })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Room list' })).toBeAttached();
  await expect(nav(page)).toContainText(name);
});
