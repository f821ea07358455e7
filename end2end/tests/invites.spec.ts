// Invite links: the owner of a private room makes a link for one person; a newcomer opening it
// signs up on the way and lands in the room; the link, used up or revoked, tells the next person
// it is not valid.
import { test, expect } from './support/fixtures';
import { uniqueRoom, waitForRoom } from './support/rooms';
import { settle, uniqueName, PASSWORD } from './support/users';
import type { Page } from '@playwright/test';

const NOT_VALID = 'This invite link is not valid: it may have expired, been used up or been revoked';

async function openInvites(page: Page, count: number) {
  await page.getByText(`Invite links (${count})`, { exact: true }).click();
  return page.locator('details.invites');
}

test('an invite link brings a newcomer through sign-up into a private room, once', async ({ person, page }) => {
  const a = await person('a');
  const room = uniqueRoom('inv');
  await a.page.goto('/rooms');
  await settle(a.page);
  await a.page.getByLabel('Room name', { exact: true }).fill(room);
  await a.page.getByRole('checkbox', { name: 'Private room' }).check();
  await a.page.getByRole('button', { name: 'Open room', exact: true }).click();
  await waitForRoom(a.page, room);

  let invites = await openInvites(a.page, 0);
  await invites.getByLabel('Use limit', { exact: true }).selectOption({ label: '1 use' });
  await expect(invites.getByLabel('Expires', { exact: true })).toHaveValue(String(24 * 7));
  await invites.getByRole('button', { name: 'Create invite link', exact: true }).click();
  invites = await openInvites(a.page, 1);
  await expect(invites.getByText('Used 0 of 1 · expires in 7 days')).toBeVisible();
  const link = await invites.getByRole('textbox', { name: 'Invite link 1' }).inputValue();
  expect(link).toMatch(/^http:\/\/[^/]+\/invite\/[A-Za-z0-9]{22}$/);

  // Someone without an account opens it: log in or sign up first, then straight into the room.
  await page.goto(link);
  await expect(page).toHaveURL(/\/login\?next=/);
  await settle(page);
  await page.getByRole('link', { name: 'Create an account', exact: true }).click();
  await expect(page).toHaveURL(/\/signup$/);
  await settle(page);
  await page.getByLabel('Username', { exact: true }).fill(uniqueName('new'));
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Confirm password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign up', exact: true }).click();
  await waitForRoom(page, room);
  await a.page.reload();
  await expect(a.page.getByText('Members (2)', { exact: true })).toBeVisible();

  // Used up, it lets the next person in nowhere and says why.
  const c = await person('c');
  await c.page.goto(link);
  await expect(c.page).toHaveURL(/\/rooms\?invite_refused=/);
  await expect(c.page.getByRole('alert').filter({ hasText: NOT_VALID })).toBeVisible();

  // A revoked link likewise.
  invites = await openInvites(a.page, 0);
  await invites.getByRole('button', { name: 'Create invite link', exact: true }).click();
  invites = await openInvites(a.page, 1);
  const second = await invites.getByRole('textbox', { name: 'Invite link 1' }).inputValue();
  await invites.getByRole('button', { name: 'Revoke invite link 1', exact: true }).click();
  await expect(a.page.getByText('Invite links (0)', { exact: true })).toBeVisible();
  await c.page.goto(second);
  await expect(c.page.getByRole('alert').filter({ hasText: NOT_VALID })).toBeVisible();
  await c.page.goto(`/rooms/${room}`);
  await expect(c.page.getByRole('heading', { name: `No room named “${room}”` })).toBeVisible();
});
