// Settings: changing the password needs the current one, logs out the account's other browsers
// and keeps this one logged in. Deleting the account needs it too, and leaves what was said.
import { test, expect } from './support/fixtures';
import { roomPage, sendMessage, twoInARoom } from './support/rooms';
import { alert, logIn, nav, newContext, signUp } from './support/users';

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

test('deleting the account needs the password, leaves the messages as "deleted user" and frees the name', async ({ person }) => {
  const { a, b } = await twoInARoom(person);
  await sendMessage(a.page, 'said before leaving');
  await expect(roomPage(b.page).message('said before leaving')).toBeVisible();

  await nav(a.page).getByRole('link', { name: 'Settings', exact: true }).click();
  await expect(a.page.getByRole('heading', { name: 'Delete account', exact: true })).toBeVisible();
  const remove = a.page.getByRole('button', { name: 'Delete account', exact: true });
  await expect(a.page.getByRole('radio', { name: 'Keep them, shown as from “deleted user”' })).toBeChecked();
  await a.page.getByLabel('Password', { exact: true }).fill('not my password');
  await remove.click();
  await expect(alert(a.page, 'Your current password is not right')).toBeVisible();

  await a.page.getByLabel('Password', { exact: true }).fill(a.password);
  await remove.click();
  await expect(a.page.getByRole('status').filter({ hasText: 'Your account was deleted.' })).toBeVisible();
  await expect(nav(a.page).getByRole('link', { name: 'Log in', exact: true })).toBeVisible();

  // What they said stays, under another name; the room they made is the other person's now.
  await b.page.reload();
  await expect(roomPage(b.page).message('said before leaving')).toContainText('deleted user');
  await expect(b.page.getByText('Edit topic', { exact: true })).toBeVisible();

  await logIn(a.page, a.name, a.password);
  await expect(alert(a.page, 'Invalid username or password')).toBeVisible();
  await signUp(a.page, a.name, 'somebody new entirely');
});
