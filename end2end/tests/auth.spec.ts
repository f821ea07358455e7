import { test, expect } from './support/fixtures';
import { alert, fillSignUp, logIn, nav, newContext, PASSWORD, settle, signUp, uniqueName } from './support/users';

const ON_SIGNUP = /\/signup(\?.*)?$/;
const ON_LOGIN = /\/login(\?.*)?$/;
const BAD_USERNAME = /Username must be 3.32 characters/;

test.describe('sign up', () => {
  test('lands on /rooms and the nav shows the name', async ({ page }) => {
    const name = uniqueName();
    await signUp(page, name);
    await expect(page).toHaveURL(/\/rooms$/);
    await expect(page.getByRole('heading', { name: 'Rooms', exact: true })).toBeVisible();
    const bar = nav(page);
    await expect(bar).toContainText(name);
    await expect(bar.getByRole('link', { name: 'Rooms', exact: true })).toBeVisible();
    await expect(bar.getByRole('button', { name: 'Log out', exact: true })).toBeVisible();
    await expect(bar.getByRole('link', { name: 'Log in', exact: true })).toHaveCount(0);
  });

  const bad: { title: string; name: () => string; password: string; confirm?: string; message: string | RegExp }[] = [
    { title: 'too short username', name: () => 'ab', password: PASSWORD, message: BAD_USERNAME },
    { title: 'username with invalid characters', name: () => `bad name!${Date.now() % 1000}`, password: PASSWORD, message: BAD_USERNAME },
    { title: 'too short password', name: () => uniqueName(), password: 'short7c', message: 'Password must be at least 8 characters' },
    {
      title: 'mismatched confirmation',
      name: () => uniqueName(),
      password: PASSWORD,
      confirm: `${PASSWORD}-typo`,
      message: 'Passwords do not match',
    },
  ];
  for (const c of bad) {
    test(`rejects ${c.title}`, async ({ page }) => {
      await fillSignUp(page, c.name(), c.password, c.confirm ?? c.password);
      await expect(alert(page, c.message)).toBeVisible();
      await expect(page).toHaveURL(ON_SIGNUP);
      await expect(nav(page).getByRole('link', { name: 'Log in', exact: true })).toBeVisible();
    });
  }

  test('rejects a taken username, case-insensitively', async ({ page, browser }) => {
    const suffix = uniqueName('');
    const first = await newContext(browser);
    try {
      await signUp(await first.newPage(), `Alice${suffix}`);
    } finally {
      await first.close();
    }
    await fillSignUp(page, `alice${suffix}`, PASSWORD);
    await expect(alert(page, 'already taken')).toBeVisible();
    await expect(page).toHaveURL(ON_SIGNUP);
  });
});

test('a sign-up sent before the page is live comes back with its error, and the page then comes alive', async ({ page }) => {
  // Hold the bundle back: the form goes out as plain HTML, as on a slow connection.
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/pkg/mini-discord.wasm', async (route) => {
    await held;
    await route.continue();
  });
  await page.goto('/signup');
  await page.getByLabel('Username', { exact: true }).fill('ab');
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Confirm password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign up', exact: true }).click();
  await expect(alert(page, BAD_USERNAME)).toBeVisible();
  await expect(page).toHaveURL(ON_SIGNUP);
  release();
  await settle(page);
  // Live: the hint follows what is typed, and the error the page came back with is still shown.
  await page.getByLabel('Username', { exact: true }).fill('no spaces');
  await expect(page.locator('#signup-username-hint')).toHaveText(BAD_USERNAME);
  await expect(alert(page, BAD_USERNAME)).toBeVisible();
});

test.describe('log in', () => {
  test('wrong password shows "Invalid username or password"', async ({ page, person }) => {
    const alice = await person();
    await logIn(page, alice.name, 'not-the-password');
    await expect(alert(page, 'Invalid')).toHaveText('Invalid username or password');
    await expect(page).toHaveURL(ON_LOGIN);
    await expect(nav(page).getByRole('link', { name: 'Log in', exact: true })).toBeVisible();
  });

  test('unknown user shows "Invalid username or password"', async ({ page }) => {
    await logIn(page, uniqueName('nobody'), PASSWORD);
    await expect(alert(page, 'Invalid')).toHaveText('Invalid username or password');
    await expect(page).toHaveURL(ON_LOGIN);
  });

  test('works and lands on /rooms', async ({ page, person }) => {
    const alice = await person();
    await logIn(page, alice.name, alice.password);
    await expect(page).toHaveURL(/\/rooms$/);
    await expect(page.getByRole('heading', { name: 'Rooms', exact: true })).toBeVisible();
    await expect(nav(page)).toContainText(alice.name);
  });

  test('is kept across a reload', async ({ page, person }) => {
    const alice = await person();
    await logIn(page, alice.name, alice.password);
    await expect(page).toHaveURL(/\/rooms$/);
    await settle(page);
    await page.reload();
    await expect(page).toHaveURL(/\/rooms$/);
    await expect(page.getByRole('heading', { name: 'Rooms', exact: true })).toBeVisible();
    await expect(nav(page)).toContainText(alice.name);
    await expect(nav(page).getByRole('button', { name: 'Log out', exact: true })).toBeVisible();
  });
});

test('log out shows "Log in" and /rooms then redirects to /login', async ({ page }) => {
  const name = uniqueName();
  await signUp(page, name);
  await nav(page).getByRole('button', { name: 'Log out', exact: true }).click();
  await expect(nav(page).getByRole('link', { name: 'Log in', exact: true })).toBeVisible();
  await expect(nav(page)).not.toContainText(name);
  await page.goto('/rooms');
  await expect(page).toHaveURL(/\/login\?next=(%2F|\/)rooms$/);
  await expect(page.getByRole('button', { name: 'Log in', exact: true })).toBeVisible();
});
