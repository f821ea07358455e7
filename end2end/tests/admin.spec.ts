import type { Page } from '@playwright/test';
import { test, expect } from './support/fixtures';
import { createRoom, roomList, roomPage, sendMessage, uniqueRoom } from './support/rooms';
import { admin } from './support/server';
import { alert, logIn, nav, settle, uniqueName, type Person } from './support/users';

/** Grants admin via the CLI; fails the test with the CLI's output if that does not work. */
async function grant(name: string): Promise<void> {
  const r = await admin(['grant', name]);
  expect(r.code, `admin grant ${name} failed:\n${r.stdout}\n${r.stderr}`).toBe(0);
}

/** A new person who is an administrator, with /admin open. */
async function newAdmin(person: (prefix?: string) => Promise<Person>): Promise<Person> {
  const p = await person('adm');
  // Accept any confirm() the admin page may show before destructive actions.
  p.page.on('dialog', (d) => void d.accept());
  await grant(p.name);
  await openAdmin(p.page);
  return p;
}

async function openAdmin(page: Page): Promise<void> {
  const res = await page.goto('/admin');
  expect(res?.status()).toBe(200);
  await expect(page.getByRole('heading', { name: 'Admin', exact: true })).toBeVisible();
  await settle(page);
}

/** Types into one of the admin search boxes and submits it with Enter. */
async function search(page: Page, box: 'Search users' | 'Search rooms' | 'Search messages', text: string) {
  const input = page.getByLabel(box, { exact: true });
  await input.fill(text);
  await input.press('Enter');
}

// Table rows on /admin, told apart by their action buttons.
const userRow = (page: Page, name: string) =>
  page
    .getByRole('row')
    .filter({ hasText: name })
    .filter({ has: page.getByRole('button', { name: /^(Disable|Enable)$/ }) });
const roomRow = (page: Page, room: string) =>
  page
    .getByRole('row')
    .filter({ hasText: room })
    .filter({ has: page.getByRole('button', { name: 'Delete room', exact: true }) });
const messageRow = (page: Page, body: string) =>
  page
    .getByRole('row')
    .filter({ hasText: body })
    .filter({ has: page.getByRole('button', { name: 'Delete', exact: true }) });

test('admin access: 403 for normal users, granted and revoked with the CLI', async ({ person }) => {
  const p = await person();
  const forbidden = await p.page.goto('/admin');
  expect(forbidden?.status()).toBe(403);
  await expect(p.page.getByRole('heading', { name: 'Forbidden', exact: true })).toBeVisible();
  await expect(nav(p.page).getByRole('link', { name: 'Admin', exact: true })).toHaveCount(0);

  await grant(p.name);
  const ok = await p.page.reload();
  expect(ok?.status()).toBe(200);
  for (const h of ['Admin', 'Users', 'Rooms', 'Messages']) {
    await expect(p.page.getByRole('heading', { name: h, exact: true })).toBeVisible();
  }
  for (const s of ['Search users', 'Search rooms', 'Search messages']) {
    await expect(p.page.getByLabel(s, { exact: true })).toBeVisible();
  }
  await expect(nav(p.page).getByRole('link', { name: 'Admin', exact: true })).toBeVisible();

  const revoked = await admin(['revoke', p.name]);
  expect(revoked.code, revoked.stderr).toBe(0);
  const again = await p.page.reload();
  expect(again?.status()).toBe(403);
  await expect(p.page.getByRole('heading', { name: 'Forbidden', exact: true })).toBeVisible();
});

test('admin CLI fails for an unknown user', async () => {
  const r = await admin(['grant', uniqueName('ghost')]);
  expect(r.code).not.toBe(0);
  expect(r.stderr.trim()).not.toBe('');
});

test('anonymous /admin goes to the login page', async ({ page }) => {
  await page.goto('/admin');
  await expect(page).toHaveURL(/\/login(\?.*)?$/);
});

test('searching users filters the table', async ({ person }) => {
  const wanted = await person('find');
  const other = await person('skip');
  const adm = await newAdmin(person);
  await search(adm.page, 'Search users', wanted.name);
  await expect(userRow(adm.page, wanted.name)).toBeVisible();
  await expect(userRow(adm.page, wanted.name)).toContainText('active');
  await expect(userRow(adm.page, other.name)).toHaveCount(0);
  await expect(userRow(adm.page, adm.name)).toHaveCount(0);
});

test('deleting a message removes it from open room pages', async ({ person }) => {
  const b = await person('b');
  const room = uniqueRoom();
  await createRoom(b.page, room);
  const doomed = `doomed message ${Date.now()}`;
  const kept = `kept message ${Date.now()}`;
  await sendMessage(b.page, doomed);
  await sendMessage(b.page, kept);

  const adm = await newAdmin(person);
  await search(adm.page, 'Search messages', doomed);
  const row = messageRow(adm.page, doomed);
  await expect(row).toContainText(room);
  await expect(row).toContainText(b.name);
  await row.getByRole('button', { name: 'Delete', exact: true }).click();

  // Gone from B's open page without a reload; the other message stays.
  await expect(roomPage(b.page).message(doomed)).toHaveCount(0);
  await expect(roomPage(b.page).message(kept)).toBeVisible();
  // And from history.
  await b.page.reload();
  await expect(roomPage(b.page).message(kept)).toBeVisible();
  await expect(roomPage(b.page).message(doomed)).toHaveCount(0);
});

test('disabling a user logs them out at once and blocks logging in', async ({ person }) => {
  const victim = await person('v');
  const room = uniqueRoom();
  await createRoom(victim.page, room);

  const adm = await newAdmin(person);
  await search(adm.page, 'Search users', victim.name);
  await userRow(adm.page, victim.name).getByRole('button', { name: 'Disable', exact: true }).click();

  await expect(victim.page).toHaveURL(/\/login(\?.*)?$/, { timeout: 15_000 });
  await logIn(victim.page, victim.name, victim.password);
  await expect(alert(victim.page, 'This account is disabled')).toBeVisible();
  await expect(victim.page).toHaveURL(/\/login(\?.*)?$/);

  // Enabling again lets them back in.
  await openAdmin(adm.page);
  await search(adm.page, 'Search users', victim.name);
  await expect(userRow(adm.page, victim.name)).toContainText('disabled');
  await userRow(adm.page, victim.name).getByRole('button', { name: 'Enable', exact: true }).click();
  await expect(userRow(adm.page, victim.name).getByRole('button', { name: 'Disable', exact: true })).toBeVisible();
  await logIn(victim.page, victim.name, victim.password);
  await expect(victim.page).toHaveURL(/\/rooms$/);
});

test('deleting a room sends everyone in it back to /rooms with a notice', async ({ person }) => {
  const b = await person('b');
  const room = uniqueRoom();
  await createRoom(b.page, room);

  const adm = await newAdmin(person);
  await search(adm.page, 'Search rooms', room);
  await roomRow(adm.page, room).getByRole('button', { name: 'Delete room', exact: true }).click();

  await expect(b.page).toHaveURL(/\/rooms(\?.*)?$/, { timeout: 15_000 });
  await expect(b.page.getByText('This room was deleted')).toBeVisible();
  await expect(roomList(b.page).entry(room)).toHaveCount(0);
});
