// Settings: changing the password needs the current one, logs out the account's other browsers
// and keeps this one logged in.
import { test, expect } from './support/fixtures';
import { alert, logIn, nav, newContext } from './support/users';

test('changing the password logs out the other browser and keeps this one', async ({ person, browser }) => {
  const a = await person('pw');
  const context = await newContext(browser);
  const other = await context.newPage();
  await logIn(other, a.name, a.password);
  await expect(other).toHaveURL(/\/rooms$/);

  await nav(a.page).getByRole('link', { name: 'Settings', exact: true }).click();
  await expect(a.page.getByRole('heading', { name: 'Settings', exact: true })).toBeVisible();
  await a.page.getByLabel('Current password', { exact: true }).fill('not my password');
  await a.page.getByLabel('New password', { exact: true }).fill('a much better one');
  await a.page.getByLabel('Confirm new password', { exact: true }).fill('a much better one');
  await a.page.getByRole('button', { name: 'Change password', exact: true }).click();
  await expect(alert(a.page, 'Your current password is not right')).toBeVisible();

  await a.page.getByLabel('Current password', { exact: true }).fill(a.password);
  await a.page.getByLabel('New password', { exact: true }).fill('a much better one');
  await a.page.getByLabel('Confirm new password', { exact: true }).fill('a much better one');
  await a.page.getByRole('button', { name: 'Change password', exact: true }).click();
  await expect(a.page.getByRole('status').filter({ hasText: 'Your password was changed' })).toBeVisible();
  await a.page.goto('/rooms');
  await expect(a.page).toHaveURL(/\/rooms$/);

  await other.goto('/rooms');
  await expect(other).toHaveURL(/\/login\?next=/);
  await logIn(other, a.name, 'a much better one');
  await expect(other).toHaveURL(/\/rooms$/);
  await context.close();
});
